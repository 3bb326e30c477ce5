package io.ringserve.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringserve.models.VersionPolicy;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ModelServerConfigFileTest {
    @Test
    void shouldReadTheModelsOfAModelConfigListAsTfServingWritesIt() {
        assertThat(ModelServerConfigFile.parse("""
                # two models, as in TF Serving's docs
                model_config_list {
                  config {
                    name: 'half_plus_two'
                    base_path: '/models/half_plus_two'
                    model_platform: 'tensorflow'
                  }
                  config: {
                    name: "two_versions"
                    base_path: "/models/two"
                    model_version_policy { specific { versions: 123 versions: 124 } }
                    version_labels { key: "stable" value: 123 }
                    version_labels { key: 'canary' value: 124 }
                  }
                  config {
                    name: "newest"
                    base_path: "/models/newest"
                    model_type: TENSORFLOW
                    model_version_policy: { latest: { num_versions: 2 } }
                    version_labels { key: "stable" value: 7 }
                  }
                  config { name: "every" base_path: "/models/every" model_version_policy { all {} } }
                }
                """).orElseThrow()).containsExactly(
                new ModelServerConfigFile.Model("half_plus_two", Path.of("/models/half_plus_two"),
                        VersionPolicy.NEWEST, Map.of()),
                new ModelServerConfigFile.Model("two_versions", Path.of("/models/two"),
                        new VersionPolicy.Specific(Set.of(123L, 124L)), Map.of("stable", 123L, "canary", 124L)),
                new ModelServerConfigFile.Model("newest", Path.of("/models/newest"), new VersionPolicy.Latest(2),
                        Map.of("stable", 7L)),
                new ModelServerConfigFile.Model("every", Path.of("/models/every"), new VersionPolicy.All(),
                        Map.of()));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            custom_model_config { }                                                   | custom_model_config is not supported
            max_batch_size { value: 1 }                                               | unknown field 'max_batch_size' in ModelServerConfig
            model_config_list { config { base_path: '/m' } }                          | a model config has no name
            model_config_list { config { name: 'm' } }                                | model 'm': base_path is missing
            model_config_list { config { name: 'm' base_path: '/m' model_platform: 'tensorrt' } } | model_platform 'tensorrt' is not served
            model_config_list { config { name: 'm' base_path: '/m' model_version_policy { specific { versions: 1 } } version_labels { key: 'stable' value: 2 } } } | version label 'stable' names version 2, which model_version_policy specific [1] does not serve
            model_config_list { config { name: 'm' base_path: '/m' version_labels { key: 'a' value: 1 } version_labels { key: 'a' value: 2 } } } | version label 'a' is given twice
            model_config_list { config { name: 'm' base_path: '/m' version_labels { value: 1 } } } | a version label has no key
            model_config_list { config { name: 'm' base_path: '/m' version_labels { key: 'a' value: 'x' } } } | version_labels 'a' value 'x' is not a non-negative integer
            model_config_list { config { name: 'm' base_path: '/m' logging_config { } } } | logging_config (request logging) is not supported
            model_config_list { config { name: 'm' base_path: '/m' model_version_policy { specific { } } } } | specific needs at least one version
            model_config_list { config { name: 'm' base_path: '/m' model_version_policy { specific { versions: -4 } } } } | specific version '-4' is not a non-negative integer
            model_config_list { config { name: 'm' base_path: '/m' model_version_policy { newest { } } } } | unknown version policy 'newest'
            model_config_list { config { name: 'm' base_path: '/m' basepath: '/x' } }  | unknown field 'basepath' in a model config
            model_config_list { config { name: 'm' base_path: '/a' } config { name: 'm' base_path: '/b' } } | model 'm' is configured twice
            """)
    void shouldRefuseWhatItCannotServeNamingIt(final String text, final String message) {
        assertThatThrownBy(() -> ModelServerConfigFile.parse(text))
                .isInstanceOf(TextFormatException.class)
                .hasMessageContaining(message);
    }

    @Test
    void anEmptyListShouldServeNoModelAndAnEmptyConfigSetNothingAsInTfServing() {
        assertThat(ModelServerConfigFile.parse("model_config_list { }")).hasValue(List.of());
        assertThat(ModelServerConfigFile.parse("# nothing yet\n")).isEmpty();
    }

    @Test
    void aSingularFieldGivenTwiceShouldBeRefusedAsTfServingsParserRefusesIt() {
        // The last one winning would drop every model of the first list, or rename a model.
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ModelServerConfigFile.parse("""
                model_config_list { config { name: "a" base_path: "/m/a" model_platform: "tensorflow" } }
                model_config_list { }
                """)).isInstanceOf(TextFormatException.class)
                .hasMessageContaining("Non-repeated field \"model_config_list\" is specified multiple times.");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ModelServerConfigFile.parse("""
                model_config_list { config { name: "a" name: "b" base_path: "/m/a" model_platform: "tensorflow" } }
                """)).hasMessageContaining("Non-repeated field \"name\" is specified multiple times.");
    }

    @Test
    void versionPolicyDefaultsShouldBeTfServings() {
        assertThat(ModelServerConfigFile.parse("model_config_list { config { name: 'm' base_path: '/m' "
                + "model_version_policy { latest { num_versions: 0 } } } }").orElseThrow())
                .extracting(ModelServerConfigFile.Model::versions).containsExactly(new VersionPolicy.Latest(1));
        assertThat(ModelServerConfigFile.parse("model_config_list { config { name: 'm' base_path: '/m' "
                + "model_version_policy { } } }").orElseThrow())
                .extracting(ModelServerConfigFile.Model::versions).containsExactly(VersionPolicy.NEWEST);
    }

    @Test
    void shouldNameTheFileItCannotRead() {
        assertThatThrownBy(() -> ModelServerConfigFile.read(Path.of("/nonexistent/models.config")))
                .isInstanceOf(TextFormatException.class)
                .hasMessage("cannot read model config file /nonexistent/models.config: no such file");
    }
}
