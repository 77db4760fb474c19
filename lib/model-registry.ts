import { Construct } from 'constructs';
import { ICloudServices, IContainerRepository, IObjectStore, IWorkloadIdentity } from './core/interfaces';
import { PlatformStack } from './core/platform-stack';
import { isCloudServices, requireConstruct, requireProps } from './core/validate';

/** Properties of a {@link ModelRegistry}. */
export interface ModelRegistryProps {
  /** Cloud that provides the bucket and the image repository. */
  readonly cloud: ICloudServices;
  /**
   * Model bucket name.
   *
   * @default - generated
   */
  readonly bucketName?: string;
  /**
   * Keep every model version immutable for this many days with object lock (governance mode). Can only be
   * turned on when the bucket is created.
   *
   * @default - no object lock
   */
  readonly objectLockDays?: number;
  /**
   * Serving image repository name.
   *
   * @default - `<project>/model-serving`
   */
  readonly repositoryName?: string;
  /**
   * Replicate the model bucket to the DR region.
   *
   * @default true
   */
  readonly replicateToDrRegion?: boolean;
}

/**
 * An immutable model store next to the MLflow registry: a versioned model bucket (object lock optional)
 * replicated to the DR region, and a container repository for serving images with immutable tags, scan on
 * push and encryption. Grant methods give readers and publishers exactly what they need.
 *
 * @example
 * const registry = new ModelRegistry(stack, 'Models', { cloud, objectLockDays: 365 });
 * registry.grantPublish(trainingIdentity);
 * registry.grantRead(servingIdentity);
 */
export class ModelRegistry extends Construct {
  /** Model bucket. */
  public readonly modelStore: IObjectStore;
  /** Serving image repository. */
  public readonly imageRepository: IContainerRepository;

  constructor(scope: Construct, id: string, props: ModelRegistryProps) {
    super(scope, id);
    const stack = PlatformStack.ofConstruct(this);
    requireProps(this, props, '{ cloud }');
    requireConstruct(this, 'cloud', props.cloud, 'a cloud (ICloudServices, e.g. an AwsCloud)', isCloudServices, "Pass the stack's AwsCloud, e.g. new AwsCloud(stack, 'Aws').");
    this.modelStore = props.cloud.newObjectStore(this, 'Models', {
      purpose: 'models',
      bucketName: props.bucketName,
      objectLockDays: props.objectLockDays,
      replicateToDrRegion: props.replicateToDrRegion ?? true,
      noncurrentVersionExpirationDays: 365,
    });
    this.imageRepository = props.cloud.newContainerRepository(this, 'ServingImages', {
      repositoryName: props.repositoryName ?? `${stack.costAllocation.projectSlug}/model-serving`,
    });
    stack.addComponent({
      path: this.node.path, name: 'ModelRegistry',
      description: `model bucket${props.objectLockDays !== undefined ? ` (object lock ${props.objectLockDays} days)` : ''}` +
        `${props.replicateToDrRegion ?? true ? ', replicated to the DR region' : ''}; immutable serving image repository`,
    });
  }

  /** Lets the identity read models and pull serving images. */
  public grantRead(identity: IWorkloadIdentity): void {
    this.modelStore.grantRead(identity);
    this.imageRepository.grantPull(identity);
  }

  /** Lets the identity write models and push serving images. */
  public grantPublish(identity: IWorkloadIdentity): void {
    this.modelStore.grantReadWrite(identity);
    this.imageRepository.grantPush(identity);
  }
}
