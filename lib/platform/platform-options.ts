import { TeamOptions } from '../team';

/** A team's guaranteed share of one of the platform's GPU pools. */
export interface PlatformTeamGpuShare {
  /** Name of the pool (a `PlatformGpuPool` name). */
  readonly pool: string;
  /** GPUs of the pool the team always gets back (Kueue nominal quota). */
  readonly guaranteedGpus: number;
  /**
   * Most GPUs of the pool the team may borrow while other teams leave them idle.
   *
   * @default - no limit
   */
  readonly borrowingLimitGpus?: number;
}

/** A team sharing the platform's cluster (see `Team`); its GPU shares name the platform's pools. */
export interface PlatformTeam extends TeamOptions {
  /**
   * Guaranteed GPU shares, by pool name.
   *
   * @default - none: the team only borrows idle GPUs
   */
  readonly gpuShares?: PlatformTeamGpuShare[];
}

/** The way in: one internal HTTPS load balancer for MLflow and Grafana. */
export interface PlatformIngressOptions {
  /** ARN of the ACM certificate for the host names, in the platform's region. */
  readonly certificateArn: string;
  /** CIDR blocks allowed to reach the load balancer (never 0.0.0.0/0): your offices or VPN. */
  readonly allowedCidrs: string[];
  /** Host name of MLflow, e.g. `mlflow.ml.example.com` (point it at the load balancer's DNS name). */
  readonly mlflowHostName: string;
  /**
   * Host name of Grafana (needs monitoring on).
   *
   * @default - Grafana is not exposed
   */
  readonly grafanaHostName?: string;
}
