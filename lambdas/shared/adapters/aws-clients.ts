// Settings the functions' AWS clients share, and the mailer they all build alike. Each client honours
// AWS_ENDPOINT_URL_<SERVICE> (the local runtime's emulators) and connects at its first call.
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SesMailer } from './ses-mailer.js';

/** Without throwOnRequestTimeout the SDK only warns, and a hung endpoint hangs the run. */
export const REQUEST_HANDLER = { connectionTimeout: 5_000, requestTimeout: 15_000, throwOnRequestTimeout: true };

/** Mail from the sender address (a verified SES identity), through the configuration set if any. */
export const createSesMailer = (env: { senderAddress: string; sesConfigurationSet?: string }) =>
  new SesMailer({
    client: new SESv2Client({ requestHandler: REQUEST_HANDLER }),
    fromAddress: env.senderAddress,
    configurationSetName: env.sesConfigurationSet,
  });
