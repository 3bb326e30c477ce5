package io.ringserve.server.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.ringserve.models.LoadedModel;
import io.ringserve.models.ServedModel;

/**
 * The state of one configured model as gauges: {@code inference_model_available{model}} (1 while a version serves,
 * 0 otherwise) and {@code inference_model_load_duration_seconds{model}} (how long the serving version took to
 * load). Read at scrape time.
 */
public final class ModelMeters {
    public static final String AVAILABLE = "inference.model.available";
    public static final String LOAD_DURATION = "inference.model.load.duration";

    private ModelMeters() {
    }

    public static void bind(final MeterRegistry registry, final ServedModel model) {
        Gauge.builder(AVAILABLE, model, m -> m.isAvailable() ? 1 : 0)
                .tag("model", model.name())
                .description("1 while the model has a version serving, else 0")
                .register(registry);
        Gauge.builder(LOAD_DURATION + ".seconds", model, ModelMeters::loadSeconds)
                .tag("model", model.name())
                .description("Seconds the model's serving version took to load")
                .register(registry);
    }

    /** Removes the gauges of model {@code name} (no longer configured; a model added again binds afresh). */
    public static void unbind(final MeterRegistry registry, final String name) {
        for (String meter : new String[] {AVAILABLE, LOAD_DURATION + ".seconds"}) {
            registry.find(meter).tag("model", name).meters().forEach(registry::remove);
        }
    }

    private static double loadSeconds(final ServedModel model) {
        return model.latest().map(LoadedModel::loadDuration).map(d -> d.toNanos() / 1e9).orElse(0.0);
    }
}
