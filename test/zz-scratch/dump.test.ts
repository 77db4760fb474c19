import * as fs from 'fs';
import { BackupPolicy } from '../../lib/backup-policy';
import { newApp, newPlatform, newStack, readStackOutput } from '../helpers';
test('dump', () => {
    const app = newApp();
    const { stack, cloud, cluster } = newPlatform(newStack({}, app, 'test'));
    new BackupPolicy(stack, 'Backups', { cloud });
    const db = cloud.newPostgresDatabase(stack, 'Db', { purpose: 'features', databaseName: 'features', clients: cluster });
    db.addApplicationRole(stack, 'AppRole', { cluster, namespace: 'features', roleName: 'feast', databases: ['feast', 'feast_registry'], secretName: 'feast-db' });
    app.synth();
    const o = readStackOutput(app.outdir, 'test');
    fs.writeFileSync(`/tmp/dump-pg.json`, JSON.stringify(o.json, null, 1));
});
