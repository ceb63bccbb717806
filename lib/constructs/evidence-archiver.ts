import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { CAMPAIGN_TABLE, DIRECTORY_TABLE, ENV } from '../../lambdas/shared/config/tables.js';
import { AppFunction, grantAuditAppend } from './app-function.js';
import { bindEvidenceArchive, type EvidenceArchiveResources } from './evidence-store.js';

/** How long archiving one run's pack may take (reading its records, building the report, writing six files). */
export const ARCHIVE_EVIDENCE_TIMEOUT = Duration.minutes(5);
/** How long drawing a report's two charts may take. */
export const REPORT_CHARTS_TIMEOUT = Duration.minutes(1);

/**
 * The render-report-charts function: draws a campaign report's two charts as SVG with vega, for the
 * archive-evidence function. It reads and writes nothing, so its role has no grant but its logs;
 * only the functions given to `allowInvocationBy` may invoke it.
 */
export class ReportChartsFunction extends Construct {
  readonly function: AppFunction;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.function = new AppFunction(this, 'Function', {
      entry: 'lambdas/render-report-charts/handler.ts',
      description: "Draws a campaign report's charts as SVG for the evidence pack the archive-evidence function builds",
      timeout: REPORT_CHARTS_TIMEOUT,
      // Lambda gives CPU with memory: vega's layout and SVG rendering are compute.
      memorySize: 1024,
    });
  }
}

export interface EvidenceArchiverProps {
  /** Approvers' names, for the report's reviewer analytics (read only). */
  readonly directoryTable: ITable;
  /** The run's campaign, entries, items, hand-over runs and notifications (read only). */
  readonly campaignTable: ITable;
  /** The run's chain, read into the pack; EVIDENCE_ARCHIVED appended (grantAuditAppend). */
  readonly auditTable: ITable;
  /** Where packs are archived and the key that signs them. */
  readonly evidence: EvidenceArchiveResources;
  /** What draws the report page's charts. */
  readonly charts: ReportChartsFunction;
}

/**
 * The archive-evidence function (docs/reference/evidence.md, "Archive before cleanup"): builds a DELETED
 * run's evidence pack and writes it to the reports bucket, signed with the KMS key, before the campaign
 * controller deletes the run's records. The controller invokes it synchronously (allowInvocationBy);
 * it alone of the functions may write packs and sign. It reads the tables, never writes them, and
 * appends to the audit log only.
 */
export class EvidenceArchiver extends Construct {
  readonly function: AppFunction;

  constructor(scope: Construct, id: string, props: EvidenceArchiverProps) {
    super(scope, id);
    this.function = new AppFunction(this, 'Function', {
      entry: 'lambdas/archive-evidence/handler.ts',
      description: "Archives a deleted campaign run's signed evidence pack in the reports bucket before its cleanup",
      timeout: ARCHIVE_EVIDENCE_TIMEOUT,
      memorySize: 1024,
    });
    this.function.bindTable(props.directoryTable, DIRECTORY_TABLE, 'RO');
    this.function.bindTable(props.campaignTable, CAMPAIGN_TABLE, 'RO');
    grantAuditAppend(this.function, props.auditTable);
    bindEvidenceArchive(this.function, props.evidence);
    this.function.bindFunction(props.charts.function, ENV.reportChartsFunction);
  }

  /** Lets `fn` invoke the archiver (and nothing else through this grant), and tells it the function's name. */
  allowInvocationBy(fn: AppFunction): void {
    fn.bindFunction(this.function, ENV.archiveEvidenceFunction);
  }
}
