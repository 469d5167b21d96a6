package io.portcullis.common.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;

/**
 * A Lua script kept as a {@code .lua} resource, loaded into Redis once ({@code SCRIPT LOAD}) and then
 * run by its digest ({@code EVALSHA}). After a Redis restart or a {@code SCRIPT FLUSH} the server
 * answers {@code NOSCRIPT}; the script is then loaded again and the call repeated, once.
 */
public final class RedisScript {

    private final Redis redis;
    private final String source;
    private final AtomicReference<String> sha = new AtomicReference<>();
    private final LoopConnections loops;

    public RedisScript(Redis redis, String resource) {
        this(redis, resource, null);
    }

    /** With {@code loops}, {@link #runNow} sends down the calling event loop's own connection. */
    public RedisScript(Redis redis, String resource, LoopConnections loops) {
        this.redis = redis;
        this.source = read(resource);
        this.loops = loops;
    }

    private static String read(String resource) {
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing Lua script resource " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs the script with {@code keys} and {@code args}. */
    public Uni<Response> run(List<String> keys, List<String> args) {
        String digest = sha.get();
        Uni<String> loaded = digest != null ? Uni.createFrom().item(digest) : load();
        return loaded.chain(d -> evalsha(d, keys, args))
                .onFailure(e -> e.getMessage() != null && e.getMessage().startsWith("NOSCRIPT"))
                .recoverWithUni(() -> load().chain(d -> evalsha(d, keys, args)));
    }

    /**
     * The same with plain Vert.x futures, for hot paths: no Mutiny pipeline, no context capture, one
     * {@code EVALSHA} per call once the script is loaded.
     */
    public io.vertx.core.Future<io.vertx.redis.client.Response> runNow(List<String> keys, List<String> args) {
        io.vertx.redis.client.Redis core = redis.getDelegate();
        String digest = sha.get();
        io.vertx.core.Future<String> loaded = digest != null ? io.vertx.core.Future.succeededFuture(digest) : loadNow(core);
        return loaded.compose(d -> sendNow(core, evalshaRequest(d, keys, args))).recover(e -> {
            if (e.getMessage() != null && e.getMessage().startsWith("NOSCRIPT")) {
                return loadNow(core).compose(d -> sendNow(core, evalshaRequest(d, keys, args)));
            }
            return io.vertx.core.Future.failedFuture(e);
        });
    }

    private io.vertx.core.Future<io.vertx.redis.client.Response> sendNow(io.vertx.redis.client.Redis core,
            io.vertx.redis.client.Request request) {
        return loops != null ? loops.send(request) : core.send(request);
    }

    private io.vertx.core.Future<String> loadNow(io.vertx.redis.client.Redis core) {
        return core.send(io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.SCRIPT).arg("LOAD").arg(source))
                .map(r -> {
                    String d = r.toString();
                    sha.set(d);
                    return d;
                });
    }

    private static io.vertx.redis.client.Request evalshaRequest(String digest, List<String> keys, List<String> args) {
        io.vertx.redis.client.Request r = io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.EVALSHA)
                .arg(digest).arg(keys.size());
        for (String k : keys) {
            r.arg(k);
        }
        for (String a : args) {
            r.arg(a);
        }
        return r;
    }

    private Uni<String> load() {
        return redis.send(Request.cmd(Command.SCRIPT).arg("LOAD").arg(source))
                .map(Response::toString)
                .invoke(sha::set);
    }

    private Uni<Response> evalsha(String digest, List<String> keys, List<String> args) {
        Request r = Request.cmd(Command.EVALSHA).arg(digest).arg(keys.size());
        for (String k : keys) {
            r.arg(k);
        }
        for (String a : args) {
            r.arg(a);
        }
        return redis.send(r);
    }

    /** Convenience for argument lists of mixed types. */
    public static List<String> args(Object... values) {
        List<String> out = new ArrayList<>(values.length);
        for (Object v : values) {
            out.add(String.valueOf(v));
        }
        return out;
    }
}
