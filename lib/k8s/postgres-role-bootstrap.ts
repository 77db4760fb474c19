import * as crypto from 'crypto';
import { IConstruct } from 'constructs';
import { ValidationError } from '../core/errors';
import { ApplicationRoleOptions } from '../core/interfaces';
import { checkPattern } from '../core/validate';
import { DATABASE_ADMIN_NAMESPACE } from './platform-namespace';

/*
 * The part of IPostgresDatabase.addApplicationRole every cloud shares: the checks of the role and its databases,
 * and the restricted Job in `db-admin` that creates the role with the administrator login. Each cloud supplies the
 * two secrets the Job reads (synced from its secret service) and the database endpoint.
 */

/** Image of the role bootstrap Job: the PostgreSQL client, pinned (uid 70 is `postgres` in the Alpine image). */
export const POSTGRES_CLIENT_IMAGE = 'docker.io/library/postgres:17.6-alpine3.22';

/**
 * Creates (idempotently) a login role with no other attribute than LOGIN, hands it ownership of its databases
 * and revokes PUBLIC's access to them. psql quotes the variables (:'x' literal, :"x" identifier), so no value
 * can inject SQL. The role gets PostgreSQL's defaults (no superuser, createdb, createrole, replication or
 * bypassrls); the script does not spell them out, because naming SUPERUSER, REPLICATION or BYPASSRLS at all,
 * even to deny them, needs a superuser, which the managed services' administrator logins are not.
 */
const BOOTSTRAP_SCRIPT = `set -eu
psql --no-psqlrc -v ON_ERROR_STOP=1 -v role="$APP_ROLE" -v password="$APP_PASSWORD" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'role') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \\gexec
ALTER ROLE :"role" WITH LOGIN PASSWORD :'password';
GRANT :"role" TO CURRENT_USER;
SQL
for db in $APP_DATABASES; do
psql --no-psqlrc -v ON_ERROR_STOP=1 -v role="$APP_ROLE" -v db="$db" <<'SQL'
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'role') WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \\gexec
ALTER DATABASE :"db" OWNER TO :"role";
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
SQL
done
echo "role $APP_ROLE owns: $APP_DATABASES"
`;

/** Throws a ValidationError unless the role and its databases are lower-case PostgreSQL identifiers. */
export function checkApplicationRoleOptions(scope: IConstruct, options: ApplicationRoleOptions): void {
  checkPattern(scope, 'roleName', options.roleName, /^[a-z][a-z0-9_]{0,62}$/, 'a lower-case PostgreSQL identifier, e.g. "mlflow"');
  if (!Array.isArray(options.databases) || options.databases.length === 0) {
    throw new ValidationError(scope, 'databases', options.databases, 'must list at least one database', 'Pass e.g. ["mlflow"].');
  }
  options.databases.forEach((db, i) => checkPattern(scope, `databases[${i}]`, db, /^[a-z][a-z0-9_]{0,62}$/, 'a lower-case PostgreSQL identifier'));
}

/** What the role bootstrap Job connects to and reads. */
export interface RoleBootstrapJobOptions {
  /** Job name prefix (a DNS label part); a hash of the script, role and databases is appended. */
  readonly namePrefix: string;
  /** Database endpoint. */
  readonly host: string;
  /** Database port. */
  readonly port: number;
  /** The role and the databases it owns. */
  readonly roleName: string;
  /** Databases the role owns. */
  readonly databases: string[];
  /** Secret in `db-admin` with the administrator login (`username`, `password`). */
  readonly adminSecretName: string;
  /** Secret in `db-admin` with the role's password (`password`). */
  readonly loginSecretName: string;
}

/**
 * The Job that creates the role as a restricted pod. Its name changes with the script, the role and the databases,
 * so a change runs a new Job rather than editing a finished one (a Job's pod template is immutable).
 */
export function roleBootstrapJob(options: RoleBootstrapJobOptions): any {
  const hash = crypto.createHash('sha256').update(BOOTSTRAP_SCRIPT).update(options.roleName).update(options.databases.join(','))
    .digest('hex').slice(0, 8);
  const fromSecret = (env: string, secret: string, key: string) => ({ name: env, valueFrom: { secretKeyRef: { name: secret, key } } });
  return {
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name: `${options.namePrefix}-role-${hash}`, namespace: DATABASE_ADMIN_NAMESPACE },
    spec: {
      backoffLimit: 6,
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': 'postgres-role-bootstrap' } },
        spec: {
          restartPolicy: 'OnFailure',
          automountServiceAccountToken: false,
          securityContext: { runAsNonRoot: true, runAsUser: 70, runAsGroup: 70, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [{
            name: 'bootstrap',
            image: POSTGRES_CLIENT_IMAGE,
            command: ['/bin/sh', '-c', BOOTSTRAP_SCRIPT],
            env: [
              { name: 'PGHOST', value: options.host },
              { name: 'PGPORT', value: String(options.port) },
              { name: 'PGDATABASE', value: 'postgres' },
              { name: 'PGSSLMODE', value: 'require' },
              fromSecret('PGUSER', options.adminSecretName, 'username'),
              fromSecret('PGPASSWORD', options.adminSecretName, 'password'),
              { name: 'APP_ROLE', value: options.roleName },
              fromSecret('APP_PASSWORD', options.loginSecretName, 'password'),
              { name: 'APP_DATABASES', value: options.databases.join(' ') },
              { name: 'HOME', value: '/tmp' },
            ],
            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
            resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '128Mi' } },
            volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
          }],
          volumes: [{ name: 'tmp', emptyDir: {} }],
        },
      },
    },
  };
}
