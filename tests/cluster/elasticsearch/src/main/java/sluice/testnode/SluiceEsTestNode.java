/*
 * SluiceEsTestNode: runs one embedded Elasticsearch node on loopback for
 * sluice's integration tests. Test tooling only; not part of sluice. The
 * OpenSearch twin is ../../../../../../src/main/java/sluice/testnode/SluiceTestNode.java;
 * both take the same arguments and keep the same port-file promise, so
 * node.sh drives them alike.
 *
 * Usage:
 *   java [-Xmx512m] -cp CLASSPATH sluice.testnode.SluiceEsTestNode HOME_DIR PORT_FILE
 *
 * HOME_DIR   the node's home; config, data and logs go under HOME_DIR/node_1
 * PORT_FILE  written (atomically) with the bound HTTP port once the node
 *            answers HTTP and cluster health is yellow or green; removed on
 *            shutdown
 *
 * System properties (all optional):
 *   sluice.http.ports       HTTP port or range to bind   (default 19400-19499)
 *   sluice.transport.ports  transport port or range      (default 19500-19599)
 *   sluice.ready.timeout    seconds to wait for health   (default 150)
 *   sluice.setting.KEY      any node setting KEY (e.g. -Dsluice.setting.http.max_content_length=1mb)
 *
 * The node is Elastic's server jar and its HTTP module (transport-netty4)
 * from Maven Central, the other modules of a distribution left out: no
 * x-pack (so no security, no built-in index templates, no ILM), no data
 * streams module (its REST API: _data_stream; data streams themselves work),
 * no painless. A stand-in "logs" index template makes logs-*-* data streams
 * as x-pack's does. Plugins are loaded from the class path
 * (org.elasticsearch.node.SluiceEmbeddedNode); RootInfoPlugin answers GET /.
 */
package sluice.testnode;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.elasticsearch.Build;
import org.elasticsearch.action.admin.cluster.health.ClusterHealthResponse;
import org.elasticsearch.cluster.health.ClusterHealthStatus;
import org.elasticsearch.common.logging.LogConfigurator;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.core.TimeValue;
import org.elasticsearch.env.Environment;
import org.elasticsearch.http.HttpServerTransport;
import org.elasticsearch.node.InternalSettingsPreparer;
import org.elasticsearch.node.Node;
import org.elasticsearch.node.SluiceEmbeddedNode;
import org.elasticsearch.transport.netty4.Netty4Plugin;

public final class SluiceEsTestNode {

    private static final String CLUSTER_NAME = "sluice-test";
    private static final String NODE_NAME = "sluice-test-node";
    private static final String SETTING_PREFIX = "sluice.setting.";

    private SluiceEsTestNode() {
    }

    private static void log(final String msg) {
        System.out.println("[sluice-test-node] " + msg);
        System.out.flush();
    }

    public static void main(final String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: SluiceEsTestNode HOME_DIR PORT_FILE");
            System.exit(2);
        }
        final Path home = Paths.get(args[0]).toAbsolutePath().resolve("node_1");
        final Path portFile = Paths.get(args[1]).toAbsolutePath();
        final String httpPorts = System.getProperty("sluice.http.ports", "19400-19499");
        final String transportPorts = System.getProperty("sluice.transport.ports", "19500-19599");
        final long readyTimeout = Long.getLong("sluice.ready.timeout", 150L);
        final TimeValue masterTimeout = TimeValue.timeValueSeconds(readyTimeout);

        final Path config = home.resolve("config");
        Files.createDirectories(config);
        Files.deleteIfExists(portFile);

        final Settings.Builder sb = Settings.builder()
                .put("path.home", home.toString())
                .put("path.data", home.resolve("data").toString())
                .put("path.logs", home.resolve("logs").toString())
                .put("cluster.name", CLUSTER_NAME)
                .put("node.name", NODE_NAME)
                .putList("node.roles", "master", "data", "ingest")
                .put("network.host", "127.0.0.1")
                .put("http.port", httpPorts)
                .put("transport.port", transportPorts)
                .put("discovery.type", "single-node")
                // A nearly full dev disk must not turn indices read-only.
                .put("cluster.routing.allocation.disk.threshold_enabled", false)
                .put("action.auto_create_index", "true")
                // Fewer background threads on a small test machine.
                .put("node.processors", Math.min(2, Runtime.getRuntime().availableProcessors()))
                .put("logger.level", "INFO");
        // -Dsluice.setting.KEY=VALUE (SLUICE_NODE_JAVA_OPTS) sets any node setting,
        // for a scenario that needs one, e.g. a small http.max_content_length.
        System.getProperties().stringPropertyNames().stream()
                .filter(k -> k.startsWith(SETTING_PREFIX))
                .forEach(k -> sb.put(k.substring(SETTING_PREFIX.length()), System.getProperty(k)));
        final Settings settings = sb.build();
        // No log4j2.properties: the node logs to stdout (node.log).
        LogConfigurator.configureWithoutConfig(settings);
        final Environment env = InternalSettingsPreparer.prepareEnvironment(settings, Map.of(), config,
                () -> NODE_NAME);

        final long t0 = System.nanoTime();
        final Node node;
        try {
            node = new SluiceEmbeddedNode(env, List.of(Netty4Plugin.class, RootInfoPlugin.class));
            node.start();
        } catch (final Exception e) {
            log("node failed to start: " + e);
            e.printStackTrace();
            System.exit(1);
            return;
        }

        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log("shutting down");
            try {
                Files.deleteIfExists(portFile);
            } catch (final IOException e) {
                // best effort
            }
            try {
                node.close();
                node.awaitClose(20, TimeUnit.SECONDS);
            } catch (final Exception e) {
                log("close failed: " + e);
            }
            stopped.countDown();
        }, "sluice-test-node-shutdown"));

        final int port = node.injector().getInstance(HttpServerTransport.class)
                .boundAddress().publishAddress().getPort();
        log("http bound on 127.0.0.1:" + port + ", Elasticsearch " + Build.current().qualifiedVersion());

        final ClusterHealthResponse health = node.client().admin().cluster().prepareHealth(masterTimeout)
                .setWaitForYellowStatus()
                .setTimeout(masterTimeout)
                .get();
        if (health.isTimedOut() || health.getStatus() == ClusterHealthStatus.RED) {
            log("cluster did not reach yellow: " + health.getStatus());
            System.exit(1);
        }

        // One node: replicas can never be assigned, so new indices would keep
        // health yellow. Elasticsearch has no cluster-wide default for
        // replicas (OpenSearch's cluster.default_number_of_replicas), so a
        // legacy template of the lowest order sets 0 for every new index; any
        // composable template a test puts takes precedence over it.
        node.client().admin().indices().preparePutTemplate("sluice-test-no-replicas")
                .setPatterns(List.of("*"))
                .setOrder(Integer.MIN_VALUE)
                .setSettings(Settings.builder().put("index.number_of_replicas", 0))
                .get();

        // Ask over real HTTP too: that is what the port file promises.
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(readyTimeout);
        while (!httpHealthy(port)) {
            if (System.nanoTime() > deadline) {
                log("http health check did not succeed on port " + port);
                System.exit(1);
            }
            Thread.sleep(200);
        }

        // Elasticsearch's default distribution has a built-in "logs" index
        // template (x-pack's stack templates) that makes every logs-*-* name a
        // data stream, sluice's default index logs-syslog-default among them;
        // OpenSearch has none. x-pack is not on Maven Central, so a stand-in of
        // the same name, pattern and priority does that part of its job (not
        // its mappings, settings or default pipeline).
        final int st = httpPut(port, "/_index_template/logs", "{\"index_patterns\":[\"logs-*-*\"],"
                + "\"priority\":100,\"data_stream\":{},\"template\":{"
                + "\"settings\":{\"index.number_of_replicas\":0},"
                + "\"mappings\":{\"properties\":{\"@timestamp\":{\"type\":\"date\"}}}},"
                + "\"_meta\":{\"description\":\"sluice test node: stands in for the built-in logs template\"}}");
        if (st != 200) {
            log("PUT _index_template/logs answered HTTP " + st);
            System.exit(1);
        }

        final Path tmp = portFile.resolveSibling(portFile.getFileName() + ".tmp");
        Files.write(tmp, (port + "\n").getBytes(StandardCharsets.US_ASCII));
        Files.move(tmp, portFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        log(String.format("ready: cluster %s, health %s, http://127.0.0.1:%d/ (%.1f s)",
                CLUSTER_NAME, health.getStatus(), port, (System.nanoTime() - t0) / 1e9));

        stopped.await();
    }

    private static int httpPut(final int port, final String path, final String json) throws IOException {
        final HttpURLConnection c = (HttpURLConnection) new URL("http://127.0.0.1:" + port + path).openConnection();
        try {
            c.setRequestMethod("PUT");
            c.setDoOutput(true);
            c.setRequestProperty("Content-Type", "application/json");
            c.setConnectTimeout(2000);
            c.setReadTimeout(30000);
            c.getOutputStream().write(json.getBytes(StandardCharsets.UTF_8));
            return c.getResponseCode();
        } finally {
            c.disconnect();
        }
    }

    private static boolean httpHealthy(final int port) {
        try {
            final HttpURLConnection c = (HttpURLConnection)
                    new URL("http://127.0.0.1:" + port + "/_cluster/health").openConnection();
            c.setConnectTimeout(2000);
            c.setReadTimeout(5000);
            try {
                if (c.getResponseCode() != 200) {
                    return false;
                }
                try (InputStream in = c.getInputStream()) {
                    final String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    return body.contains("\"status\":\"green\"") || body.contains("\"status\":\"yellow\"");
                }
            } finally {
                c.disconnect();
            }
        } catch (final IOException e) {
            return false;
        }
    }
}
