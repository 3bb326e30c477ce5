package io.ringserve.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ModelRegistry#refresh} on real SavedModels: TF Serving's half_plus_two (TF1 export, then TF2 export). */
class ModelRegistryRefreshTest {
    @TempDir
    Path dir;
    private final ModelRegistry registry = new ModelRegistry(new SavedModelLoader(SessionOptions.DEFAULTS));

    @AfterEach
    void close() {
        registry.close();
    }

    private static float predict(final LoadedModel model) {
        final SignatureSpec signature = model.signature(SignatureSpec.DEFAULT_KEY).orElseThrow();
        return model.run(signature, Map.of("x", HostTensor.ofFloats(new long[] {1, 1}, 1f)), List.of("y"))
                .get("y").floatAt(0);
    }

    @Test
    void shouldServeANewVersionThenRetireTheOldOne() {
        final ModelVersionsOnDisk disk = new ModelVersionsOnDisk(dir).add(1, "saved_model_half_plus_two_cpu");
        final ServedModel model = registry.add("m", dir);
        registry.loadAll();
        assertThat(registry.refresh()).as("nothing new").isEmpty();
        final LoadedModel one = model.latest().orElseThrow();
        assertThat(predict(one)).isEqualTo(2.5f);

        disk.add(2, "saved_model_half_plus_two_tf2_cpu");
        final List<ModelRegistry.Retired> retired = registry.refresh();
        assertThat(retired).extracting(r -> r.version().version()).containsExactly(1L);
        assertThat(model.latest().orElseThrow().version()).isEqualTo(2);
        assertThat(predict(model.latest().orElseThrow())).isEqualTo(2.5f);
        assertThat(model.version(1)).isEmpty();
        assertThat(model.status(1).orElseThrow().state()).isEqualTo(ModelState.UNLOADING);
        assertThat(predict(one)).as("open until its requests are answered").isEqualTo(2.5f);
        one.close();
        model.markUnloaded(1);
        assertThat(model.status(1).orElseThrow().state()).isEqualTo(ModelState.END);
        assertThatThrownBy(() -> predict(one)).isInstanceOf(ModelExecutionException.class)
                .hasMessageContaining("version 1 of model m was unloaded");
    }

    @Test
    void aLoadFailingWithAnyRuntimeExceptionShouldFailThatVersionAloneAndLetTheOthersLoad() {
        // TensorFlow Java fails some loads with exceptions outside its TensorFlowException family; any of them must
        // leave the version FAILED, naming why, and not stop the models after it from loading.
        final ModelRegistry failing = new ModelRegistry(new SavedModelLoader(SessionOptions.DEFAULTS),
                VersionWarmup.NONE, (directory, success, nanos) -> {
                    if (directory.toString().contains("broken")) {
                        throw new UnsupportedOperationException("an op this build does not implement");
                    }
                }, LoadRetries.NONE);
        try {
            new ModelVersionsOnDisk(dir.resolve("broken")).add(1, "saved_model_half_plus_two_cpu");
            new ModelVersionsOnDisk(dir.resolve("fine")).add(1, "saved_model_half_plus_two_cpu");
            final ServedModel broken = failing.add("broken", dir.resolve("broken"));
            final ServedModel fine = failing.add("fine", dir.resolve("fine"));
            failing.loadAll();
            assertThat(broken.status(1).orElseThrow().state()).isEqualTo(ModelState.END);
            assertThat(broken.status(1).orElseThrow().error()).hasValueSatisfying(
                    error -> assertThat(error).contains("an op this build does not implement"));
            assertThat(predict(fine.latest().orElseThrow())).isEqualTo(2.5f);
        } finally {
            failing.close();
        }
    }

    @Test
    void aLabelMovedToAVersionNotYetServingShouldKeepNamingTheOldOneUntilTheNewOneServes() {
        final ModelVersionsOnDisk disk = new ModelVersionsOnDisk(dir).add(1, "saved_model_half_plus_two_cpu");
        final ServedModel model = registry.add("m", dir, new VersionPolicy.All(), Map.of("stable", 1L));
        registry.loadAll();
        assertThat(model.labelled("stable")).hasValue(1);

        registry.reconfigure("m", new VersionPolicy.All(), Map.of("stable", 2L, "canary", 2L));
        assertThat(model.labelled("stable")).as("2 is not serving yet").hasValue(1);
        assertThat(model.labelled("canary")).as("a new label has no old version to keep").hasValue(2);

        disk.add(2, "saved_model_half_plus_two_tf2_cpu");
        registry.refresh();
        assertThat(model.labelled("stable")).as("2 serves now").hasValue(2);
        assertThat(model.labelled("canary")).hasValue(2);
    }

    @Test
    void aModelMovedToAnotherBasePathShouldServeFromTheOldOneUntilTheNewOneHasLoaded() {
        final java.util.List<String> servingWhileLoading = new java.util.ArrayList<>();
        final java.util.concurrent.atomic.AtomicReference<ModelRegistry> self = new java.util.concurrent.atomic
                .AtomicReference<>();
        final ModelRegistry moving = new ModelRegistry(new SavedModelLoader(SessionOptions.DEFAULTS),
                version -> self.get().get("m").flatMap(ServedModel::latest).ifPresent(
                        serving -> servingWhileLoading.add(version.directory() + " while "
                                + serving.directory())), LoadAttempts.NONE, LoadRetries.NONE);
        self.set(moving);
        try {
            new ModelVersionsOnDisk(dir.resolve("old")).add(1, "saved_model_half_plus_two_cpu");
            new ModelVersionsOnDisk(dir.resolve("new")).add(1, "saved_model_half_plus_two_tf2_cpu");
            final ServedModel old = moving.add("m", dir.resolve("old"), VersionPolicy.NEWEST, Map.of());
            moving.loadAll();
            final LoadedModel oldOne = old.latest().orElseThrow();

            final List<ModelRegistry.Retired> retired = moving.move("m", dir.resolve("new"), VersionPolicy.NEWEST,
                    Map.of());

            assertThat(servingWhileLoading).singleElement().asString()
                    .startsWith(dir.resolve("new").resolve("1").toString())
                    .endsWith(" while " + dir.resolve("old").resolve("1"));
            assertThat(retired).extracting(ModelRegistry.Retired::version).containsExactly(oldOne);
            final ServedModel now = moving.get("m").orElseThrow();
            assertThat(now.basePath()).isEqualTo(dir.resolve("new"));
            assertThat(predict(now.latest().orElseThrow())).isEqualTo(2.5f);
            assertThat(predict(oldOne)).as("open until its requests are answered").isEqualTo(2.5f);
            oldOne.close();
        } finally {
            moving.close();
        }
    }

    @Test
    void aVersionStillDrainingShouldLoadAgainOnlyOnceItHasClosed() {
        final ModelVersionsOnDisk disk = new ModelVersionsOnDisk(dir).add(1, "saved_model_half_plus_two_cpu");
        final ServedModel model = registry.add("m", dir);
        registry.loadAll();
        disk.add(2, "saved_model_half_plus_two_tf2_cpu");
        final LoadedModel one = registry.refresh().get(0).version();
        registry.reconfigure("m", new VersionPolicy.Specific(Set.of(1L, 2L)), Map.of());
        assertThat(registry.refresh()).isEmpty();
        assertThat(model.version(1)).as("still draining: not loaded beside itself").isEmpty();
        assertThat(model.status(1).orElseThrow().state()).isEqualTo(ModelState.UNLOADING);
        one.close();
        model.markUnloaded(1);
        registry.refresh();
        assertThat(model.version(1)).isPresent();
        assertThat(model.status(1).orElseThrow().state()).isEqualTo(ModelState.AVAILABLE);
        model.markUnloaded(1);
        assertThat(model.status(1).orElseThrow().state()).as("a late mark leaves a serving version alone")
                .isEqualTo(ModelState.AVAILABLE);
    }

    @Test
    void shouldKeepTheOldVersionServingWhenTheNewOneFailsToLoad() {
        final ModelVersionsOnDisk disk = new ModelVersionsOnDisk(dir).add(1, "saved_model_half_plus_two_cpu");
        final ServedModel model = registry.add("m", dir);
        registry.loadAll();
        disk.addBroken(2);
        assertThat(registry.refresh()).isEmpty();
        assertThat(model.status(2).orElseThrow().error()).isPresent();
        assertThat(predict(model.latest().orElseThrow())).isEqualTo(2.5f);
        assertThat(registry.refresh()).as("a failed version is not tried again as it is").isEmpty();
        assertThat(model.status(2).orElseThrow().state()).isEqualTo(ModelState.END);

        // The copy of version 2 was caught half done: once its files change it is tried again, and it serves.
        disk.remove(2).add(2, "saved_model_half_plus_two_tf2_cpu");
        assertThat(registry.refresh()).extracting(r -> r.version().version()).containsExactly(1L);
        assertThat(model.latest().orElseThrow().version()).isEqualTo(2);
    }

    @Test
    void shouldLoadAVersionThatAppearsAfterAStartWithNone() {
        final ServedModel model = registry.add("m", dir);
        registry.loadAll();
        assertThat(model.isAvailable()).isFalse();
        assertThat(model.error()).isPresent();
        new ModelVersionsOnDisk(dir).add(4, "saved_model_half_plus_two_cpu");
        assertThat(registry.refresh()).isEmpty();
        assertThat(model.isAvailable()).isTrue();
        assertThat(model.error()).isEmpty();
    }

    @Test
    void shouldFollowTheAllPolicyAsVersionsComeAndGo() {
        final ModelVersionsOnDisk disk = new ModelVersionsOnDisk(dir).add(1, "saved_model_half_plus_two_cpu")
                .add(2, "saved_model_half_plus_two_tf2_cpu");
        final ServedModel model = registry.add("m", dir, new VersionPolicy.All(), Map.of());
        registry.loadAll();
        assertThat(model.version(1)).isPresent();
        disk.remove(1);
        assertThat(registry.refresh()).extracting(r -> r.version().version()).containsExactly(1L);
        assertThat(model.version(2)).isPresent();
    }
}
