package io.ringserve.server.grpc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The path of a UNIX domain socket a listener binds ({@code --grpc_socket_path}): a socket an earlier run left there
 * is removed first (it would make the bind fail, and no one can be listening on it once its server has gone), any
 * other file there is refused rather than deleted, and {@link #close} removes the socket. Relative paths resolve
 * against the working directory, as TF Serving's do. Not thread-safe; owned by the server that binds it.
 */
public final class DomainSocketPath implements AutoCloseable {
    private static final int FILE_TYPE_MASK = 0170000;
    private static final int SOCKET = 0140000;

    private final Path path;

    private DomainSocketPath(final Path path) {
        this.path = path;
    }

    /**
     * Makes {@code path} ready for a bind.
     *
     * @throws IllegalArgumentException if something other than a socket is there, or its directory is missing
     * @throws UncheckedIOException if a stale socket cannot be removed
     */
    public static DomainSocketPath prepare(final String path) {
        final Path socket = Path.of(path).toAbsolutePath().normalize();
        if (!Files.isDirectory(socket.getParent())) {
            throw new IllegalArgumentException("--grpc_socket_path " + path + ": directory " + socket.getParent()
                    + " does not exist");
        }
        if (Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            if (!isSocket(socket)) {
                throw new IllegalArgumentException("--grpc_socket_path " + path
                        + " exists and is not a socket; refusing to replace it");
            }
            delete(socket);
        }
        return new DomainSocketPath(socket);
    }

    /** The absolute path to bind. */
    public Path path() {
        return path;
    }

    /** Removes the socket file, if it is still a socket. */
    @Override
    public void close() {
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS) && isSocket(path)) {
            delete(path);
        }
    }

    static boolean isSocket(final Path path) {
        try {
            final int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return (mode & FILE_TYPE_MASK) == SOCKET;
        } catch (NoSuchFileException gone) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the file type of " + path, e);
        }
    }

    private static void delete(final Path socket) {
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the old socket " + socket, e);
        }
    }
}
