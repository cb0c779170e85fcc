/**
 * The {@code depot} command line: the demo, store inspection and transfer commands, queue tools,
 * {@code watch} and the Prometheus metrics endpoint of {@code serve}. An application, not a
 * library: it exports nothing; its commands are opened to picocli, which reads their annotations.
 */
module io.depot.cli {
  requires io.depot.core;
  requires io.depot.stm;
  requires io.depot.storage;
  requires info.picocli;
  requires com.fasterxml.jackson.databind; // the JSON of `depot q` (DepotCli.JSON)
  requires io.prometheus.metrics.core;
  requires io.prometheus.metrics.model;
  requires io.prometheus.metrics.exporter.httpserver;

  // picocli reads the commands' annotations and sets their fields reflectively
  opens io.depot.cli to
      info.picocli;
}
