/* Entry point of `cdktf synth` (see cdktf.json): every reference stack in one app. */
import { App } from 'cdktf';
import { buildReferencePlatform } from './aws-platform/main';
import { buildCustomStack } from './custom-stack/main';

const app = new App();
buildReferencePlatform(app);
buildCustomStack(app);
require('./gcp-platform/main').buildGcpPlatform(app);
require('./azure-platform/main').buildAzurePlatform(app);
app.synth();
