/*
 * SluiceTestNode: runs one embedded OpenSearch node on loopback for
 * sluice's integration tests. Test tooling only; not part of sluice.
 *
 * Usage:
 *   java [-Xmx768m] -cp CLASSPATH sluice.testnode.SluiceTestNode HOME_DIR PORT_FILE
 *
 * HOME_DIR   the node's home; config, data and logs go under HOME_DIR/node_1
 * PORT_FILE  written (atomically) with the bound HTTP port once the node
 *            answers HTTP and cluster health is yellow or green; removed on
 *            shutdown
 *
 * System properties (all optional):
 *   sluice.http.ports       HTTP port or range to bind   (default 19200-19299)
 *   sluice.transport.ports  transport port or range      (default 19300-19399)
 *   sluice.ready.timeout    seconds to wait for health   (default 150)
 *   sluice.setting.KEY      any node setting KEY (e.g. -Dsluice.setting.http.max_content_length=1mb)
 *
 * OpenSearch binds the first free port of each range, so several test nodes
 * can run side by side; the port actually bound is read back from the node.
 * The process runs until it gets SIGTERM/SIGINT, then closes the node cleanly.
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.codelibs.opensearch.runner.OpenSearchRunner;
import org.opensearch.action.admin.cluster.health.ClusterHealthResponse;
import org.opensearch.cluster.health.ClusterHealthStatus;
import org.opensearch.common.settings.Settings;
import org.opensearch.common.unit.TimeValue;
import org.opensearch.http.HttpServerTransport;
import org.opensearch.node.Node;

public final class SluiceTestNode {

    private static final String CLUSTER_NAME = "sluice-test";
    private static final String SETTING_PREFIX = "sluice.setting.";

    private SluiceTestNode() {
    }

    private static void log(final String msg) {
        System.out.println("[sluice-test-node] " + msg);
        System.out.flush();
    }

    public static void main(final String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: SluiceTestNode HOME_DIR PORT_FILE");
            System.exit(2);
        }
        final Path home = Paths.get(args[0]).toAbsolutePath();
        final Path portFile = Paths.get(args[1]).toAbsolutePath();
        final String httpPorts = System.getProperty("sluice.http.ports", "19200-19299");
        final String transportPorts = System.getProperty("sluice.transport.ports", "19300-19399");
        final long readyTimeout = Long.getLong("sluice.ready.timeout", 150L);

        Files.createDirectories(home);
        Files.deleteIfExists(portFile);

        // -Dsluice.security.dir=DIR: load the security plugin (on the class
        // path), with the certificates and security config node.sh made in DIR.
        final String securityDir = System.getProperty("sluice.security.dir");

        final OpenSearchRunner runner = new OpenSearchRunner();
        // We set http.port ourselves; stop the runner from probing 9200+.
        runner.setMaxHttpPort(-1);
        runner.onBuild((id, settings) -> {
            settings.put("node.name", "sluice-test-node");
            settings.putList("node.roles", "cluster_manager", "data", "ingest");
            settings.put("network.host", "127.0.0.1");
            settings.put("http.port", httpPorts);
            settings.put("transport.port", transportPorts);
            settings.put("discovery.type", "single-node");
            // A nearly full dev disk must not turn indices read-only.
            settings.put("cluster.routing.allocation.disk.threshold_enabled", false);
            settings.put("action.auto_create_index", "true");
            // Fewer background threads on a small test machine.
            settings.put("node.processors", Math.min(2, Runtime.getRuntime().availableProcessors()));
            if (securityDir != null) {
                putSecuritySettings(settings, Paths.get(securityDir).toAbsolutePath(),
                        home.resolve("node_1").resolve("config"));
            }
            // -Dsluice.setting.KEY=VALUE (SLUICE_NODE_JAVA_OPTS) sets any node setting,
            // for a scenario that needs one, e.g. a small http.max_content_length.
            System.getProperties().stringPropertyNames().stream()
                    .filter(k -> k.startsWith(SETTING_PREFIX))
                    .forEach(k -> settings.put(k.substring(SETTING_PREFIX.length()), System.getProperty(k)));
        });

        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log("shutting down");
            try {
                Files.deleteIfExists(portFile);
            } catch (final IOException e) {
                // best effort
            }
            try {
                runner.close();
            } catch (final Exception e) {
                log("close failed: " + e);
            }
            stopped.countDown();
        }, "sluice-test-node-shutdown"));

        final long t0 = System.nanoTime();
        try {
            final OpenSearchRunner.Configs configs = new OpenSearchRunner.Configs();
            if (securityDir != null) {
                configs.pluginTypes("org.opensearch.security.OpenSearchSecurityPlugin");
            }
            runner.build(configs
                    .basePath(home.toString())
                    .numOfNode(1)
                    .clusterName(CLUSTER_NAME));
        } catch (final RuntimeException e) {
            log("node failed to start: " + e);
            e.printStackTrace();
            System.exit(1);
        }

        final Node node = runner.node();
        final int port = node.injector().getInstance(HttpServerTransport.class)
                .boundAddress().publishAddress().getPort();
        log("http bound on 127.0.0.1:" + port);

        // With the security plugin, the node's own client has no user: run
        // the start-up requests as the node itself (system context).
        final org.opensearch.common.util.concurrent.ThreadContext tc =
                node.injector().getInstance(org.opensearch.threadpool.ThreadPool.class).getThreadContext();
        final org.opensearch.common.util.concurrent.ThreadContext.StoredContext saved = tc.stashContext();
        tc.markAsSystemContext();
        final ClusterHealthResponse health = node.client().admin().cluster().prepareHealth()
                .setWaitForYellowStatus()
                .setTimeout(TimeValue.timeValueSeconds(readyTimeout))
                .get();
        if (health.isTimedOut() || health.getStatus() == ClusterHealthStatus.RED) {
            log("cluster did not reach yellow: " + health.getStatus());
            System.exit(1);
        }

        // One node: replicas can never be assigned, so new indices would keep
        // health yellow. Index create requests may still ask for replicas.
        // (Read from cluster metadata only, so it cannot go in node settings.)
        node.client().admin().cluster().prepareUpdateSettings()
                .setPersistentSettings(Settings.builder().put("cluster.default_number_of_replicas", 0))
                .get();
        saved.restore();

        // Ask over real HTTP too: that is what the port file promises.
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(readyTimeout);
        while (securityDir == null && !httpHealthy(port)) {
            if (System.nanoTime() > deadline) {
                log("http health check did not succeed on port " + port);
                System.exit(1);
            }
            Thread.sleep(200);
        }

        final Path tmp = portFile.resolveSibling(portFile.getFileName() + ".tmp");
        Files.write(tmp, (port + "\n").getBytes(StandardCharsets.US_ASCII));
        Files.move(tmp, portFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        log(String.format("ready: cluster %s, health %s, %s://127.0.0.1:%d/ (%.1f s)",
                CLUSTER_NAME, health.getStatus(), securityDir == null ? "http" : "https", port, (System.nanoTime() - t0) / 1e9));

        stopped.await();
    }

    private static void putSecuritySettings(final org.opensearch.common.settings.Settings.Builder settings,
            final Path dir, final Path configDir) {
        // The plugin reads its first configuration from CONFIG/opensearch-security/.
        try {
            final Path dst = configDir.resolve("opensearch-security");
            Files.createDirectories(dst);
            try (java.util.stream.Stream<Path> files = Files.list(dir.resolve("opensearch-security"))) {
                for (final Path f : (Iterable<Path>) files::iterator) {
                    Files.copy(f, dst.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (final IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        final String ca = dir.resolve("ca.pem").toString();
        final String cert = dir.resolve("node.pem").toString();
        final String key = dir.resolve("node-key.pem").toString();
        settings.put("plugins.security.ssl.transport.pemcert_filepath", cert);
        settings.put("plugins.security.ssl.transport.pemkey_filepath", key);
        settings.put("plugins.security.ssl.transport.pemtrustedcas_filepath", ca);
        settings.put("plugins.security.ssl.transport.enforce_hostname_verification", false);
        settings.put("plugins.security.ssl.http.enabled", true);
        settings.put("plugins.security.ssl.http.pemcert_filepath", cert);
        settings.put("plugins.security.ssl.http.pemkey_filepath", key);
        settings.put("plugins.security.ssl.http.pemtrustedcas_filepath", ca);
        settings.putList("plugins.security.nodes_dn", "CN=sluice-test-node,O=sluice-test");
        settings.putList("plugins.security.authcz.admin_dn", "CN=sluice-test-admin,O=sluice-test");
        settings.put("plugins.security.allow_default_init_securityindex", true);
        settings.put("plugins.security.audit.type", "noop");
        settings.putList("plugins.security.restapi.roles_enabled", "all_access");
        settings.put("plugins.security.check_snapshot_restore_write_privileges", true);
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
