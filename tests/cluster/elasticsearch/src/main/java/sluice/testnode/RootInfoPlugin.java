/*
 * RootInfoPlugin: answers GET / (and HEAD /) on the test node with the
 * node's name, cluster and build, the shape a distribution answers there.
 * Test tooling only; not part of sluice.
 *
 * Why it exists: in Elasticsearch 8.x the root endpoint lives in the
 * rest-root module, which Elastic does not publish to Maven Central; a
 * person or a script asking the node "what are you" should still be told.
 * Every value is read from the running node.
 */
package sluice.testnode;

import java.util.Collection;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;

import org.elasticsearch.Build;
import org.elasticsearch.client.internal.node.NodeClient;
import org.elasticsearch.cluster.metadata.IndexNameExpressionResolver;
import org.elasticsearch.cluster.node.DiscoveryNodes;
import org.elasticsearch.cluster.service.ClusterService;
import org.elasticsearch.common.io.stream.NamedWriteableRegistry;
import org.elasticsearch.common.settings.ClusterSettings;
import org.elasticsearch.common.settings.IndexScopedSettings;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.common.settings.SettingsFilter;
import org.elasticsearch.features.NodeFeature;
import org.elasticsearch.index.IndexVersion;
import org.elasticsearch.plugins.ActionPlugin;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.rest.RestChannel;
import org.elasticsearch.rest.RestController;
import org.elasticsearch.rest.RestHandler;
import org.elasticsearch.rest.RestRequest;
import org.elasticsearch.rest.RestResponse;
import org.elasticsearch.rest.RestStatus;
import org.elasticsearch.xcontent.XContentBuilder;

public final class RootInfoPlugin extends Plugin implements ActionPlugin {

    private volatile ClusterService clusterService;

    @Override
    public Collection<?> createComponents(final PluginServices services) {
        clusterService = services.clusterService();
        return List.of();
    }

    @Override
    public Collection<RestHandler> getRestHandlers(final Settings settings,
            final NamedWriteableRegistry registry, final RestController controller,
            final ClusterSettings clusterSettings, final IndexScopedSettings indexSettings,
            final SettingsFilter filter, final IndexNameExpressionResolver resolver,
            final Supplier<DiscoveryNodes> nodes, final Predicate<NodeFeature> features) {
        return List.of(new RestHandler() {
            @Override
            public List<Route> routes() {
                return List.of(new Route(RestRequest.Method.GET, "/"), new Route(RestRequest.Method.HEAD, "/"));
            }

            @Override
            public void handleRequest(final RestRequest request, final RestChannel channel, final NodeClient client)
                    throws Exception {
                channel.sendResponse(new RestResponse(RestStatus.OK, describe(channel.newBuilder())));
            }
        });
    }

    private XContentBuilder describe(final XContentBuilder b) throws java.io.IOException {
        final Build build = Build.current();
        final ClusterService cs = clusterService;
        b.startObject();
        b.field("name", cs.localNode().getName());
        b.field("cluster_name", cs.getClusterName().value());
        b.field("cluster_uuid", cs.state().metadata().clusterUUID());
        b.startObject("version");
        b.field("number", build.qualifiedVersion());
        b.field("build_flavor", build.flavor());
        b.field("build_type", build.type().displayName());
        b.field("build_hash", build.hash());
        b.field("build_date", build.date());
        b.field("build_snapshot", build.isSnapshot());
        b.field("lucene_version", IndexVersion.current().luceneVersion().toString());
        b.field("minimum_wire_compatibility_version", build.minWireCompatVersion());
        b.field("minimum_index_compatibility_version", build.minIndexCompatVersion());
        b.endObject();
        b.field("tagline", "You Know, for Search");
        return b.endObject();
    }
}
