package io.portcullis.gateway.proxy;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import io.portcullis.gateway.config.GatewayConfig;

/** The routing table: a path prefix per upstream, from {@code portcullis.gateway.upstreams}. */
public final class Upstreams {

    private static final Pattern NAME = Pattern.compile("^[a-z][a-z0-9-]{0,31}$");

    /** An upstream and the prefix it serves ({@code /auth}). */
    public record Route(String name, String prefix, String host, int port, boolean ssl) {
    }

    private final List<Route> routes = new ArrayList<>();

    public Upstreams(GatewayConfig config) {
        for (Map.Entry<String, String> e : config.upstreams().entrySet()) {
            String name = e.getKey();
            if (!NAME.matcher(name).matches() || name.equals("gateway") || name.equals("q")) {
                throw new IllegalStateException("portcullis.gateway.upstreams." + name + ": not a usable route name");
            }
            URI uri = URI.create(e.getValue());
            boolean ssl = "https".equals(uri.getScheme());
            if (!ssl && !"http".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new IllegalStateException("portcullis.gateway.upstreams." + name + " must be an http(s) URL");
            }
            int port = uri.getPort() > 0 ? uri.getPort() : ssl ? 443 : 80;
            routes.add(new Route(name, "/" + name, uri.getHost(), port, ssl));
        }
    }

    /** The route serving {@code path} (decoded), or null. */
    public Route match(String path) {
        for (Route r : routes) {
            if (path.equals(r.prefix()) || path.startsWith(r.prefix() + "/")) {
                return r;
            }
        }
        return null;
    }

    public List<Route> all() {
        return List.copyOf(routes);
    }
}
