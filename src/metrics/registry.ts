import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, type CounterConfiguration, type HistogramConfiguration } from 'prom-client';

/**
 * The one Prometheus registry of this process, served at /metrics (src/api/metrics.ts). Any module
 * may register its metrics here with the helpers below; names start with `zhida_` and say their
 * unit (`_seconds`, `_total`, ...). The README lists every metric and what it means.
 *
 * @example
 * ```ts
 * import { counter, gaugeAtScrape } from '../metrics/registry.ts';
 * const drops = counter({ name: 'zhida_search_log_dropped_total', help: 'Search log rows dropped because the buffer was full' });
 * drops.inc();
 * gaugeAtScrape({ name: 'zhida_search_index_documents', help: 'Documents in the in-memory index' }, (set) => set(engine.status().documents));
 * ```
 */
export const metricsRegistry = new Registry();

// process_cpu_seconds_total, process_resident_memory_bytes, nodejs_eventloop_lag_seconds, nodejs_heap_*, ...
// (standard names, so stock Node.js dashboards work). Collected at scrape time.
collectDefaultMetrics({ register: metricsRegistry });

/** A counter registered once per process (a second call with the same name returns the first). */
export function counter<L extends string = string>(config: Omit<CounterConfiguration<L>, 'registers'>): Counter<L> {
  const existing = metricsRegistry.getSingleMetric(config.name);
  if (existing) return existing as Counter<L>;
  return new Counter<L>({ ...config, registers: [metricsRegistry] });
}

/** A histogram registered once per process. Buckets are in seconds for `_seconds` metrics. */
export function histogram<L extends string = string>(config: Omit<HistogramConfiguration<L>, 'registers'>): Histogram<L> {
  const existing = metricsRegistry.getSingleMetric(config.name);
  if (existing) return existing as Histogram<L>;
  return new Histogram<L>({ ...config, registers: [metricsRegistry] });
}

type SetGauge<L extends string> = (value: number, labels?: Partial<Record<L, string | number>>) => void;

/**
 * A gauge read when Prometheus scrapes: `read` calls `set` once per series (state held elsewhere,
 * such as the index size or a queue depth, is not copied on every change). Registering the same name
 * again replaces the reader, so a process that rebuilds its services (tests, a restore) reports the
 * current ones. A reader that throws leaves the gauge empty for that scrape instead of failing the
 * whole scrape; the failure is counted in zhida_metrics_read_errors_total.
 */
export function gaugeAtScrape<L extends string = string>(
  config: { name: string; help: string; labelNames?: readonly L[] },
  read: (set: SetGauge<L>) => void | Promise<void>,
): Gauge<L> {
  metricsRegistry.removeSingleMetric(config.name);
  return new Gauge<L>({
    name: config.name,
    help: config.help,
    labelNames: config.labelNames ?? [],
    registers: [metricsRegistry],
    async collect() {
      this.reset();
      try {
        await read((value, labels) => (labels ? this.set(labels as never, value) : this.set(value)));
      } catch {
        readErrors.inc({ metric: config.name });
      }
    },
  });
}

/**
 * A counter whose total is kept elsewhere (a component's own tally since start) and read at scrape
 * time, so it is typed as a counter (`rate()` works) without the component importing prom-client.
 */
export function counterAtScrape(config: { name: string; help: string }, read: () => number): Counter {
  metricsRegistry.removeSingleMetric(config.name);
  return new Counter({
    name: config.name,
    help: config.help,
    registers: [metricsRegistry],
    collect() {
      this.reset();
      try {
        this.inc(read());
      } catch {
        readErrors.inc({ metric: config.name });
      }
    },
  });
}

const readErrors = counter({
  name: 'zhida_metrics_read_errors_total',
  help: 'Scrape-time gauges whose reader failed (the gauge was left empty for that scrape)',
  labelNames: ['metric'],
});

/** The exposition text and its content type, for the /metrics route. */
export async function scrapeMetrics(): Promise<{ body: string; contentType: string }> {
  return { body: await metricsRegistry.metrics(), contentType: metricsRegistry.contentType };
}
