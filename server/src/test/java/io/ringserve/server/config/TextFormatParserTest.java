package io.ringserve.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TextFormatParserTest {
    @Test
    void shouldReadNestedRepeatedAndQuotedFields() {
        final TextMessage message = TextFormatParser.parse("""
                model_config_list {
                  config { name: 'half' base_path: "/models/half" model_platform: "tensorflow" }
                  config: {
                    name: "two"  # a comment
                    base_path: "/models/two"
                    model_version_policy { specific { versions: 1 versions: 2 } }
                    version_labels { key: 'stable' value: 1 },
                  }
                }
                """);
        final var configs = message.message("model_config_list").orElseThrow().messages("config");
        assertThat(configs).hasSize(2);
        assertThat(configs.get(0).scalar("base_path")).contains("/models/half");
        assertThat(configs.get(1).message("model_version_policy").orElseThrow().message("specific").orElseThrow()
                .values("versions")).containsExactly("1", "2");
        assertThat(configs.get(1).message("version_labels").orElseThrow().scalar("key")).contains("stable");
    }

    @Test
    void shouldReadListsEscapesAndAngleBrackets() {
        final TextMessage message = TextFormatParser.parse("sizes: [1, 2, 3] text: \"a\\\"b\" \"c\" m < x: 1 >");
        assertThat(message.values("sizes")).containsExactly("1", "2", "3");
        assertThat(message.scalar("text")).contains("a\"bc");
        assertThat(message.message("m").orElseThrow().scalar("x")).contains("1");
    }

    @Test
    void shouldUndoOctalHexAndControlEscapesAsUtf8Bytes() {
        // Python's text_format writes a non-ASCII path as octal escapes of its UTF-8 bytes.
        final TextMessage message = TextFormatParser.parse(
                "a: \"/models/caf\\303\\251\" b: '\\xc3\\xa9\\t\\a\\'' c: \"caf\u00e9 \\\\ \\?\"");
        assertThat(message.scalar("a")).hasValue("/models/caf\u00e9");
        assertThat(message.scalar("b")).hasValue("\u00e9\t\u0007'");
        assertThat(message.scalar("c")).hasValue("caf\u00e9 \\ ?");
    }

    @Test
    void shouldReportTheLineOfAnError() {
        assertThatThrownBy(() -> TextFormatParser.parse("a: 1\nb 2\n")).hasMessageStartingWith("line 2:");
        assertThatThrownBy(() -> TextFormatParser.parse("vm\n"))
                .hasMessage("at the end of the file: expected ':' or '{' after field 'vm'");
        assertThatThrownBy(() -> TextFormatParser.parse("a {\n  b: 1\n"))
                .hasMessage("at the end of the file: missing '}'");
        assertThatThrownBy(() -> TextFormatParser.parse("a: \"open\n")).hasMessageContaining("unterminated");
        assertThatThrownBy(() -> TextFormatParser.parse("a { b: 1 } }")).hasMessageContaining("unexpected '}'");
    }

    @Test
    void shouldReadAnAnyWrittenOutAndKeepTheTextOfNestedMessages() {
        final TextMessage message = TextFormatParser.parse("""
                source_adapter_config {
                  [type.googleapis.com/tensorflow.serving.SavedModelBundleSourceAdapterConfig] {
                    legacy_config { session_config { gpu_options { visible_device_list: "0" } } }
                  }
                }
                """);
        final TextMessage any = message.message("source_adapter_config").orElseThrow()
                .message("[type.googleapis.com/tensorflow.serving.SavedModelBundleSourceAdapterConfig]").orElseThrow();
        assertThat(any.message("legacy_config").orElseThrow().message("session_config").orElseThrow().text().strip())
                .isEqualTo("gpu_options { visible_device_list: \"0\" }");
        assertThatThrownBy(() -> TextFormatParser.parse("[type.googleapis.com/x { }"))
                .hasMessageContaining("missing ']'");
    }
}
