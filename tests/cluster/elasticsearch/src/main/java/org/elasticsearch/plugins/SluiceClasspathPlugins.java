/*
 * SluiceClasspathPlugins: the plugins service of sluice's embedded
 * Elasticsearch test node. Test tooling only; not part of sluice.
 *
 * A distribution loads its modules from modules/ with one class loader per
 * module; our node has only jars from Maven Central on one class path, so
 * the plugin classes are named here and instantiated directly. It lives in
 * Elasticsearch's package because the hooks it needs are package-private.
 */
package org.elasticsearch.plugins;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.elasticsearch.Build;
import org.elasticsearch.action.admin.cluster.node.info.PluginsAndModules;
import org.elasticsearch.common.settings.Settings;

public final class SluiceClasspathPlugins extends PluginsService {

    private final List<LoadedPlugin> loaded;

    public SluiceClasspathPlugins(final Settings settings, final Path configDir,
            final Collection<Class<? extends Plugin>> classes) {
        super(settings, configDir, new PluginsLoader(Set.of(), Set.of(), Map.of()));
        final List<LoadedPlugin> list = new ArrayList<>();
        for (final Class<? extends Plugin> c : classes) {
            final PluginDescriptor d = new PluginDescriptor(c.getName(), "on the class path", "NA",
                    Build.current().version(), Integer.toString(Runtime.version().feature()), c.getName(),
                    null, List.of(), false, false, false, false);
            list.add(new LoadedPlugin(d, loadPlugin(c, settings, configDir), c.getClassLoader()));
        }
        loadExtensions(list);
        loaded = List.copyOf(list);
    }

    @Override
    protected List<LoadedPlugin> plugins() {
        return loaded;
    }

    @Override
    public PluginsAndModules info() {
        // Reported as modules: they are part of the node, not installed by a user.
        return new PluginsAndModules(List.of(), loaded.stream().map(LoadedPlugin::descriptor).toList());
    }
}
