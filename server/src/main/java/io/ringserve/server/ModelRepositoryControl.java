package io.ringserve.server;

import io.ringserve.models.ModelRegistry;
import io.ringserve.models.ServedModel;
import io.ringserve.models.VersionPolicy;
import io.ringserve.models.VersionStatus;
import io.ringserve.server.config.ModelServerConfigFile;
import io.ringserve.server.inference.ModelRepositoryApi;
import io.ringserve.server.inference.ServingException;
import io.ringserve.server.inference.StatusCode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * The model repository extension over {@code --model_repository}: a model is a directory of the repository, loaded by
 * adding it to the models served and unloaded by removing it, through the same change as a model config reload
 * (the version poller's thread applies it; unloaded versions drain and close as retired versions do). Thread-safe.
 */
final class ModelRepositoryControl implements ModelRepositoryApi {
    private final Path repository;
    private final ModelRegistry registry;
    private final Function<UnaryOperator<List<ModelServerConfigFile.Model>>, CompletableFuture<Void>> changeModels;

    /**
     * @param changeModels changes the models served: given the list served now, returns the list to serve; the
     *     future completes once the change is applied, new versions loaded and dropped ones closed
     */
    ModelRepositoryControl(final Path repository, final ModelRegistry registry,
                           final Function<UnaryOperator<List<ModelServerConfigFile.Model>>,
                                   CompletableFuture<Void>> changeModels) {
        this.repository = Objects.requireNonNull(repository, "repository");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.changeModels = Objects.requireNonNull(changeModels, "changeModels");
    }

    @Override
    public boolean enabled() {
        return true;
    }

    @Override
    public CompletableFuture<Void> load(final String model) {
        final Path directory;
        try {
            directory = directoryOf(model);
        } catch (ServingException e) {
            return CompletableFuture.failedFuture(e);
        }
        return changeModels.apply(served -> {
            final List<ModelServerConfigFile.Model> models = without(served, model);
            models.add(new ModelServerConfigFile.Model(model, directory, VersionPolicy.NEWEST, Map.of()));
            return models;
        }).thenRun(() -> {
            final ServedModel served = registry.get(model).orElseThrow(() -> new ServingException(
                    StatusCode.UNAVAILABLE, "Model " + model + " was unloaded while it loaded"));
            if (!served.isAvailable()) {
                throw new ServingException(StatusCode.FAILED_PRECONDITION, "Model " + model + " did not load from "
                        + directory + ": " + served.error().orElse("it has no version to serve"));
            }
        });
    }

    @Override
    public CompletableFuture<Void> unload(final String model) {
        return changeModels.apply(served -> {
            final List<ModelServerConfigFile.Model> models = without(served, model);
            if (models.size() == served.size()) {
                throw ServingException.notFound("Model " + model + " is not loaded");
            }
            return models;
        });
    }

    @Override
    public List<Entry> index() {
        final List<Entry> entries = new ArrayList<>();
        for (String model : modelDirectories()) {
            final Optional<ServedModel> served = registry.get(model);
            if (served.isEmpty() || served.get().statuses().isEmpty()) {
                entries.add(new Entry(model, Optional.empty(), Optional.empty(), Optional.empty()));
                continue;
            }
            for (VersionStatus status : served.get().statuses()) {
                entries.add(new Entry(model, Optional.of(Long.toString(status.version())), Optional.of(
                        switch (status.state()) {
                            case AVAILABLE -> "READY";
                            case START, LOADING -> "LOADING";
                            case UNLOADING -> "UNLOADING";
                            case END -> "UNAVAILABLE";
                        }), status.error()));
            }
        }
        return entries;
    }

    private Path directoryOf(final String model) {
        if (model.isEmpty() || model.startsWith(".") || model.contains("/") || model.contains("\\")) {
            throw ServingException.invalidArgument("'" + model + "' is not a model of the repository: a model is "
                    + "named after its directory");
        }
        final Path directory;
        try {
            directory = repository.resolve(model);
        } catch (InvalidPathException e) {
            throw ServingException.invalidArgument("'" + model + "' is not a model of the repository: "
                    + e.getMessage());
        }
        if (!Files.isDirectory(directory)) {
            throw ServingException.notFound("No model directory " + model + " in the model repository "
                    + repository);
        }
        return directory;
    }

    private List<String> modelDirectories() {
        try {
            return modelDirectories(repository).stream().map(dir -> dir.getFileName().toString()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the model repository " + repository, e);
        }
    }

    /**
     * The model directories of {@code repository}, in name order: its subdirectories but hidden ones ({@code .}
     * first), each a model named after it.
     */
    static List<Path> modelDirectories(final Path repository) throws IOException {
        try (Stream<Path> children = Files.list(repository)) {
            return children.filter(Files::isDirectory)
                    .filter(dir -> !dir.getFileName().toString().startsWith("."))
                    .sorted()
                    .toList();
        }
    }

    private static List<ModelServerConfigFile.Model> without(final List<ModelServerConfigFile.Model> models,
                                                             final String model) {
        final List<ModelServerConfigFile.Model> rest = new ArrayList<>(models);
        rest.removeIf(entry -> entry.name().equals(model));
        return rest;
    }
}
