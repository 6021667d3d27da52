/*
 * SluiceEmbeddedNode: a real Elasticsearch node whose plugins come from the
 * class path (see SluiceClasspathPlugins). Test tooling only; not part of
 * sluice. In Elasticsearch's package because the service provider hook is
 * package-private; everything else is the stock node.
 */
package org.elasticsearch.node;

import java.util.Collection;
import java.util.List;

import org.elasticsearch.env.Environment;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.plugins.PluginsLoader;
import org.elasticsearch.plugins.PluginsService;
import org.elasticsearch.plugins.SluiceClasspathPlugins;

public final class SluiceEmbeddedNode extends Node {

    public SluiceEmbeddedNode(final Environment env, final Collection<Class<? extends Plugin>> plugins) {
        super(NodeConstruction.prepareConstruction(env, null, new NodeServiceProvider() {
            @Override
            PluginsService newPluginService(final Environment e, final PluginsLoader ignored) {
                return new SluiceClasspathPlugins(e.settings(), e.configDir(), List.copyOf(plugins));
            }
        }, true));
    }
}
