package dev.spillway.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code status.public}: the public status page's section. */
class PublicPageConfigTest {
  private static final String BASE = """
      backends:
        b: { endpoints: ["http://127.0.0.1:8000"] }
      routes:
        - { name: chat, match: { pathPrefix: /v1/chat }, backend: b }
        - { name: embed, match: { pathPrefix: /v1/embeddings }, backend: b }
      """;

  @Test
  void absentMeansNoPublicPage() {
    LoadedConfig config = ConfigLoader.parseFile(BASE, "spillway.yaml", name -> null);

    assertThat(config.status().publicPage()).isEqualTo(PublicPageConfig.DISABLED);
    assertThat(config.status().publicPage().enabled()).isFalse();
  }

  @Test
  void bindsComponentsOnTheAdminListenerByDefault() {
    LoadedConfig config = ConfigLoader.parseFile(BASE + """
        status:
          public:
            title: Example AI status
            components:
              - { name: Chat API, description: Chat completions, routes: [chat] }
              - { name: Embeddings, routes: embed }
        """, "spillway.yaml", name -> null);

    PublicPageConfig page = config.status().publicPage();
    assertThat(page).isEqualTo(new PublicPageConfig(true, "Example AI status", "/public", "127.0.0.1",
        PublicPageConfig.ADMIN_LISTENER, List.of(
            new PublicComponentConfig("Chat API", "Chat completions", List.of("chat")),
            new PublicComponentConfig("Embeddings", null, List.of("embed")))));
    assertThat(page.ownListener()).isFalse();
  }

  @Test
  void anOwnPortServesAtTheRoot() {
    PublicPageConfig page = ConfigLoader.parseFile(BASE + """
        status:
          public: { host: 0.0.0.0, port: 8081 }
        """, "spillway.yaml", name -> null).status().publicPage();

    assertThat(page.ownListener()).isTrue();
    assertThat(page.path()).isEqualTo("/");
    assertThat(page.port()).isEqualTo(8081);
    assertThat(page.components()).isEmpty();
  }

  @Test
  void reportsErrorsWithKeysAndLines() {
    ConfigLoadException e = catchThrowableOfType(ConfigLoadException.class, () -> ConfigLoader.parseFile(BASE + """
        status:
          public:
            path: /status
            colour: blue
            components:
              - name: Chat API
                routes: [chat, chatt]
              - { name: Chat API, routes: [embed] }
              - { routes: [] }
        """, "spillway.yaml", name -> null));

    assertThat(e.getMessage())
        .contains("status.public.colour")
        .contains("status.public.components[0].routes[1]: unknown route chatt (expected: one of chat, embed)")
        .contains("(line 12)")
        .contains("status.public.components[2].name: missing")
        .contains("status.public.components[2].routes: missing");
  }

  @Test
  void rejectsDuplicateNamesAndBadPaths() {
    ConfigLoadException dup = catchThrowableOfType(ConfigLoadException.class, () -> ConfigLoader.parseFile(BASE + """
        status:
          public:
            components:
              - { name: Chat API, routes: [chat] }
              - { name: Chat API, routes: [embed] }
        """, "spillway.yaml", name -> null));
    assertThat(dup.getMessage()).contains("status.public.components[1].name: Chat API (expected: a name no other");

    ConfigLoadException path = catchThrowableOfType(ConfigLoadException.class, () -> ConfigLoader.parseFile(BASE + """
        status:
          public: { path: public/, port: 70000 }
        """, "spillway.yaml", name -> null));
    assertThat(path.getMessage()).contains("status.public.path: public/ (expected: /, or / followed by");

    ConfigLoadException shadow = catchThrowableOfType(ConfigLoadException.class, () -> ConfigLoader.parseFile(BASE
        + """
        status:
          public: { path: /status/page }
        """, "spillway.yaml", name -> null));
    assertThat(shadow.getMessage()).contains("status.public.path: /status/page (expected: a path the admin API "
        + "does not use").contains("(line 7)");
  }
}
