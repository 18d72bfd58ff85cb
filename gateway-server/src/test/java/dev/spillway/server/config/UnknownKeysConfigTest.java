package dev.spillway.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spillway.core.config.GatewayConfig;
import dev.spillway.core.config.IdentityConfig.UnknownKeys;
import org.junit.jupiter.api.Test;

/** {@code admission.identity.unknownKeys}: how keys of no configured tenant are limited. */
class UnknownKeysConfigTest {
  private static String yaml(String identity) {
    return """
        tiers:
          free:
            limits:
              - { name: rpm, bandwidths: 5/1m }
        routes:
          - name: chat
            backend: primary
            admission:
              defaultTier: free
        %s
        backends:
          primary:
            endpoints: [http://10.0.0.1:8000]
        """.formatted(identity);
  }

  @Test
  void unknownKeysAreSharedUnlessSaidOtherwise() {
    GatewayConfig shared = ConfigLoader.parse(yaml(""), "a.yaml", name -> null);
    assertThat(shared.routes().get(0).admission().identity().unknownKeys()).isEqualTo(UnknownKeys.SHARED);
    GatewayConfig perClient = ConfigLoader.parse(yaml("      identity: { unknownKeys: perClient }"), "b.yaml",
        name -> null);
    assertThat(perClient.routes().get(0).admission().identity().unknownKeys()).isEqualTo(UnknownKeys.PER_CLIENT);
  }

  @Test
  void aWrongValueNamesTheKeyAndTheChoices() {
    assertThatThrownBy(() -> ConfigLoader.parse(yaml("      identity: { unknownKeys: perKey }"), "c.yaml",
        name -> null)).hasMessageContaining("unknownKeys").hasMessageContaining("shared, perClient");
  }
}
