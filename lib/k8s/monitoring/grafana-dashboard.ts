/*
 * A small builder for Grafana dashboard JSON, so the dashboards the library ships are code (reviewed, tested,
 * diffable) rather than exported blobs. It covers what the platform dashboards use: time series and stat panels
 * on the Prometheus datasource, laid out on Grafana's 24-column grid, and query-driven template variables.
 */

/** Unit of a panel's values (Grafana unit ids). */
export enum PanelUnit {
  /** 0-100 percent. */
  PERCENT = 'percent',
  /** 0.0-1.0 shown as percent. */
  PERCENT_UNIT = 'percentunit',
  /** Mebibytes (DCGM framebuffer metrics are in MiB). */
  MEBIBYTES = 'decmbytes',
  /** Bytes. */
  BYTES = 'bytes',
  /** Seconds. */
  SECONDS = 's',
  /** Requests per second. */
  REQUESTS_PER_SECOND = 'reqps',
  /** US dollars. */
  USD = 'currencyUSD',
  /** A plain number. */
  NONE = 'short',
}

/** How a panel draws its queries. */
export enum PanelKind {
  /** Lines over time. */
  TIME_SERIES = 'timeseries',
  /** One big number (the last value). */
  STAT = 'stat',
}

/** One PromQL query of a panel. */
export interface PanelQuery {
  /** PromQL expression. */
  readonly expr: string;
  /** Legend, with `{{label}}` placeholders. */
  readonly legend: string;
}

/** A panel of a {@link GrafanaDashboard}. */
export interface PanelOptions {
  /** Title. */
  readonly title: string;
  /** Queries. */
  readonly queries: PanelQuery[];
  /**
   * Unit of the values.
   *
   * @default PanelUnit.NONE
   */
  readonly unit?: PanelUnit;
  /**
   * How the panel is drawn.
   *
   * @default PanelKind.TIME_SERIES
   */
  readonly kind?: PanelKind;
  /**
   * Width in grid columns (1-24).
   *
   * @default 12
   */
  readonly width?: number;
  /**
   * What the panel shows, as a tooltip.
   *
   * @default - none
   */
  readonly description?: string;
}

/** Options of a {@link GrafanaDashboard}. */
export interface GrafanaDashboardOptions {
  /** Stable dashboard uid (links and bookmarks use it). */
  readonly uid: string;
  /** Title. */
  readonly title: string;
  /**
   * Tags.
   *
   * @default ['mlops']
   */
  readonly tags?: string[];
  /**
   * Prometheus datasource uid.
   *
   * @default 'prometheus' (the datasource kube-prometheus-stack provisions)
   */
  readonly datasourceUid?: string;
}

const PANEL_HEIGHT = 8;

/**
 * A Grafana dashboard built in code: add variables and panels, then `toJson()` for a ConfigMap the Grafana
 * sidecar loads.
 *
 * @example
 * const d = new GrafanaDashboard({ uid: 'mlops-gpu', title: 'GPUs' });
 * d.addPanel({ title: 'Utilisation', queries: [{ expr: 'avg(DCGM_FI_DEV_GPU_UTIL)', legend: 'all' }], unit: PanelUnit.PERCENT });
 */
export class GrafanaDashboard {
  /** Dashboard uid. */
  public readonly uid: string;
  /** Dashboard title. */
  public readonly title: string;
  private readonly tags: string[];
  private readonly datasource: { type: string; uid: string };
  private readonly panels: any[] = [];
  private readonly variables: any[] = [];
  private x = 0;
  private y = 0;
  private rowHeight = 0;

  constructor(options: GrafanaDashboardOptions) {
    this.uid = options.uid;
    this.title = options.title;
    this.tags = options.tags ?? ['mlops'];
    this.datasource = { type: 'prometheus', uid: options.datasourceUid ?? 'prometheus' };
  }

  /**
   * Adds a multi-select template variable whose values come from `label_values(<metric>, <label>)`; queries
   * use it as `$<name>` (with `=~`).
   */
  public addVariable(name: string, label: string, metric: string, valueLabel: string): GrafanaDashboard {
    this.variables.push({
      name, label, type: 'query', datasource: this.datasource,
      query: { query: `label_values(${metric}, ${valueLabel})`, refId: `${name}-values` },
      definition: `label_values(${metric}, ${valueLabel})`,
      refresh: 2, multi: true, includeAll: true, allValue: '.*', current: { text: 'All', value: '$__all' }, sort: 1,
    });
    return this;
  }

  /** Adds a panel to the right of the last one, or on a new row when it does not fit. */
  public addPanel(options: PanelOptions): GrafanaDashboard {
    const width = options.width ?? 12;
    if (!Number.isInteger(width) || width < 1 || width > 24) {
      throw new Error(`panel "${options.title}": width must be a whole number from 1 to 24 (got ${width})`);
    }
    const height = options.kind === PanelKind.STAT ? PANEL_HEIGHT / 2 : PANEL_HEIGHT;
    if (this.x + width > 24) {
      this.x = 0;
      this.y += this.rowHeight;
      this.rowHeight = 0;
    }
    const kind = options.kind ?? PanelKind.TIME_SERIES;
    this.panels.push({
      id: this.panels.length + 1,
      type: kind,
      title: options.title,
      ...(options.description ? { description: options.description } : {}),
      datasource: this.datasource,
      gridPos: { x: this.x, y: this.y, w: width, h: height },
      fieldConfig: { defaults: { unit: options.unit ?? PanelUnit.NONE }, overrides: [] },
      options: kind === PanelKind.STAT
        ? { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'value', graphMode: 'area' }
        : { legend: { displayMode: 'table', placement: 'bottom', calcs: ['mean', 'max'] }, tooltip: { mode: 'multi' } },
      targets: options.queries.map((q, i) => ({
        refId: String.fromCharCode(65 + i), datasource: this.datasource, expr: q.expr, legendFormat: q.legend,
      })),
    });
    this.x += width;
    this.rowHeight = Math.max(this.rowHeight, height);
    return this;
  }

  /** The dashboard model Grafana imports. */
  public toJson(): any {
    return {
      uid: this.uid,
      title: this.title,
      tags: this.tags,
      editable: false,
      schemaVersion: 39,
      time: { from: 'now-24h', to: 'now' },
      refresh: '1m',
      timezone: 'utc',
      templating: { list: this.variables },
      panels: this.panels,
    };
  }
}
