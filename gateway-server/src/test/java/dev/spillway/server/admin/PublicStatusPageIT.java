package dev.spillway.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spillway.server.config.ConfigLoader;
import dev.spillway.server.config.LoadedConfig;
import java.io.ByteArrayInputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The public status page end to end: its Statuspage-shaped JSON, operators' incident posts through the admin
 * API (token required; the page itself is read-only), the Atom history, and that nothing internal (hosts,
 * ports, backend, route and tenant names, keys, the admin token) reaches it.
 */
class PublicStatusPageIT {
  private static final String ATOM = "http://www.w3.org/2005/Atom";
  private static final String KEY = "sk-acme-secret-key";
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static LoadedConfig config(int backendPort, String publicSection) {
    return ConfigLoader.parseFile("""
        server: { host: 127.0.0.1, port: 0 }
        tiers: { pro: {} }
        tenants:
          - { name: acme-secret-tenant, tier: pro, keys: ["%s"] }
        backends:
          gpu-pool-internal: { endpoints: ["http://127.0.0.1:%d"] }
        routes:
          - { name: chat-internal-route, match: { pathPrefix: / }, backend: gpu-pool-internal }
        status:
          public:
        %s
        """.formatted(KEY, backendPort, publicSection.indent(4).stripTrailing()), "spillway.yaml", name -> null);
  }

  private static final String COMPONENTS = """
      title: Example AI status
      components:
        - { name: Chat API, description: Chat completions, routes: [chat-internal-route] }
      """;

  @Test
  void summaryFollowsTheStatuspageShapeAndIsReadOnly() throws Exception {
    try (MonitoringFixture f = new MonitoringFixture(closedPort(), null, config(closedPort(), COMPONENTS))) {
      f.seconds(1);

      JsonNode summary = json(f.admin("/public/api/v2/summary.json", false));
      assertThat(summary.at("/page/name").asText()).isEqualTo("Example AI status");
      assertThat(summary.at("/page/id").asText()).isEqualTo("example-ai-status");
      assertThat(summary.at("/page/updated_at").asText()).isNotEmpty();
      assertThat(summary.at("/components/0/name").asText()).isEqualTo("Chat API");
      assertThat(summary.at("/components/0/id").asText()).isEqualTo("chat-api");
      assertThat(summary.at("/components/0/status").asText()).isEqualTo("operational");
      assertThat(summary.at("/components/0/description").asText()).isEqualTo("Chat completions");
      assertThat(summary.at("/components/0/position").asInt()).isEqualTo(1);
      assertThat(summary.get("incidents").isArray()).isTrue();
      assertThat(summary.get("incidents")).isEmpty();
      assertThat(summary.get("scheduled_maintenances")).isEmpty();
      assertThat(summary.at("/status/indicator").asText()).isEqualTo("none");
      assertThat(summary.at("/status/description").asText()).isEqualTo("All Systems Operational");
      JsonNode status = json(f.admin("/public/api/v2/status.json", false));
      assertThat(status.at("/status/indicator").asText()).isEqualTo("none");
      assertThat(status.has("page")).isTrue();
      assertThat(json(f.admin("/public/api/v2/components.json", false)).at("/components/0/status").asText())
          .isEqualTo("operational");
      assertThat(json(f.admin("/public/api/v2/incidents.json", false)).get("incidents")).isEmpty();
      assertThat(json(f.admin("/public/api/v2/incidents/unresolved.json", false)).get("incidents")).isEmpty();

      HttpResponse<String> bare = f.admin("/public", false);
      assertThat(bare.statusCode()).isEqualTo(301);
      assertThat(bare.headers().firstValue("location")).hasValue("/public/");
      HttpResponse<String> page = f.admin("/public/", false);
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.headers().firstValue("content-type").orElse("")).startsWith("text/html");
      StatusPageBrowserIT.assertOnlyLocalUrls(page.body());
      assertThat(f.post("/public/api/v2/summary.json", "{}", true).statusCode()).isEqualTo(405);
      assertThat(f.admin("/public/nothing", false).statusCode()).isEqualTo(404);
      assertThat(f.admin("/status", false).statusCode()).as("the admin API still wants its token").isEqualTo(401);
    }
  }

  @Test
  void operatorsPostIncidentsAndUpdatesThatThePageShows() throws Exception {
    try (MonitoringFixture f = new MonitoringFixture(closedPort(), null, config(closedPort(), COMPONENTS))) {
      String open = """
          {"title": "Slow chat answers", "components": ["Chat API"], "impact": "major",
           "phase": "investigating", "text": "Answers take longer than usual; we are looking into it."}
          """;
      assertThat(f.post("/incidents", open, false).statusCode()).isEqualTo(401);
      assertError(f.post("/incidents", open.replace("\"investigating\"", "\"pondering\""), true), 400, "phase");
      assertError(f.post("/incidents", open.replace("\"Chat API\"", "\"chat-internal-route\""), true), 400,
          "components");
      assertError(f.post("/incidents", open.replace("\"major\"", "\"apocalyptic\""), true), 400, "impact");
      assertError(f.post("/incidents", "{\"title\": \"x\"", true), 400, null);
      assertError(f.post("/incidents", open.replace("\"text\": \"Answers", "\"txt\": \"Answers"), true), 400, "text");

      HttpResponse<String> created = f.post("/incidents", open, true);
      assertThat(created.statusCode()).isEqualTo(201);
      JsonNode incident = MAPPER.readTree(created.body()).get("incident");
      assertThat(incident.get("manual").asBoolean()).isTrue();
      assertThat(incident.get("phase").asText()).isEqualTo("investigating");
      long id = incident.get("id").asLong();

      JsonNode summary = json(f.admin("/public/api/v2/summary.json", false));
      assertThat(summary.at("/incidents/0/name").asText()).isEqualTo("Slow chat answers");
      assertThat(summary.at("/incidents/0/status").asText()).isEqualTo("investigating");
      assertThat(summary.at("/incidents/0/impact").asText()).isEqualTo("major");
      assertThat(summary.at("/incidents/0/components/0/name").asText()).isEqualTo("Chat API");
      assertThat(summary.at("/incidents/0/incident_updates/0/body").asText()).startsWith("Answers take longer");
      assertThat(summary.at("/components/0/status").asText()).isEqualTo("partial_outage");
      assertThat(summary.at("/status/indicator").asText()).isEqualTo("major");

      HttpResponse<String> identified = f.post("/incidents/" + id + "/updates",
          "{\"phase\": \"identified\", \"text\": \"A slow model server; traffic moves to a healthy one.\"}", true);
      assertThat(identified.statusCode()).isEqualTo(201);
      assertThat(f.post("/incidents/" + id + "/updates", "{\"phase\": \"monitoring\", \"text\": \"x\"}", false)
          .statusCode()).isEqualTo(401);
      summary = json(f.admin("/public/api/v2/summary.json", false));
      assertThat(summary.at("/incidents/0/status").asText()).isEqualTo("identified");
      assertThat(summary.at("/incidents/0/incident_updates")).hasSize(2);
      assertThat(summary.at("/incidents/0/incident_updates/0/status").asText()).as("newest first")
          .isEqualTo("identified");
      assertThat(json(f.admin("/incidents", true)).at("/incidents/0/updates")).hasSize(2);

      assertThat(f.post("/incidents/" + id + "/updates",
          "{\"phase\": \"resolved\", \"text\": \"Answers are fast again.\"}", true).statusCode()).isEqualTo(201);
      summary = json(f.admin("/public/api/v2/summary.json", false));
      assertThat(summary.get("incidents")).isEmpty();
      assertThat(summary.at("/components/0/status").asText()).isEqualTo("operational");
      assertThat(summary.at("/status/indicator").asText()).isEqualTo("none");
      JsonNode history = json(f.admin("/public/api/v2/incidents.json", false));
      assertThat(history.at("/incidents/0/status").asText()).isEqualTo("resolved");
      assertThat(history.at("/incidents/0/resolved_at").asText()).isNotEmpty();
      assertThat(history.at("/incidents/0/incident_updates")).hasSize(3);

      assertError(f.post("/incidents/" + id + "/updates", "{\"phase\": \"monitoring\", \"text\": \"again\"}", true),
          409, "phase");
      assertError(f.post("/incidents/999/updates", "{\"phase\": \"monitoring\", \"text\": \"x\"}", true), 404, null);

      Document feed = atom(f.admin("/public/history.atom", false));
      assertThat(entries(feed).getLength()).isEqualTo(1);
      Element entry = (Element) entries(feed).item(0);
      assertThat(child(entry, "title")).isEqualTo("Slow chat answers (resolved)");
      assertThat(child(entry, "content")).contains("identified: A slow model server").contains("Affected: Chat API");
    }
  }

  @Test
  void automaticIncidentsReachThePageWithoutAnythingInternal() throws Exception {
    int deadPort = closedPort();
    try (MonitoringFixture f = new MonitoringFixture(deadPort, null, config(deadPort, COMPONENTS))) {
      for (int i = 0; i < 5; i++) {
        assertThat(chat(f).statusCode()).isEqualTo(502);
      }
      f.awaitRecords(5);
      f.seconds(2);
      String internal = f.admin("/incidents", true).body();
      assertThat(internal).as("the admin API does name the backend").contains("gpu-pool-internal");
      long id = MAPPER.readTree(internal).at("/incidents/0/id").asLong();

      JsonNode summary = json(f.admin("/public/api/v2/summary.json", false));
      assertThat(summary.at("/components/0/status").asText()).isEqualTo("major_outage");
      assertThat(summary.at("/status/indicator").asText()).isEqualTo("critical");
      assertThat(summary.at("/incidents/0/name").asText()).isEqualTo("Outage affecting Chat API");
      assertThat(summary.at("/incidents/0/status").asText()).isEqualTo("investigating");
      assertThat(summary.at("/incidents/0/incident_updates/0/body").asText())
          .isEqualTo("We are investigating an outage affecting Chat API.");

      assertThat(f.post("/incidents/" + id + "/updates",
          "{\"phase\": \"identified\", \"text\": \"A model server is down; restarting it.\"}", true).statusCode())
          .isEqualTo(201);
      assertThat(json(f.admin("/public/api/v2/summary.json", false)).at("/incidents/0/status").asText())
          .isEqualTo("identified");

      List<String> published = new ArrayList<>();
      for (String path : List.of("/", "/api/v2/summary.json", "/api/v2/status.json", "/api/v2/components.json",
          "/api/v2/incidents.json", "/api/v2/incidents/unresolved.json", "/history.atom")) {
        HttpResponse<String> r = f.admin("/public" + path, false);
        assertThat(r.statusCode()).as(path).isEqualTo(200);
        published.add(r.body());
      }
      for (String body : published) {
        assertThat(body).doesNotContain("127.0.0.1", "localhost", String.valueOf(deadPort),
            String.valueOf(f.admin.port()), String.valueOf(f.gateway.port()), "gpu-pool-internal",
            "chat-internal-route", "acme-secret-tenant", KEY, MonitoringFixture.TOKEN, "backend", "route ");
      }
      Document feed = atom(f.admin("/public/history.atom", false));
      assertThat(entries(feed).getLength()).isEqualTo(1);
    }
  }

  @Test
  void aListenerOfItsOwnServesOnlyThePage() throws Exception {
    try (MonitoringFixture f = new MonitoringFixture(closedPort(), null, config(closedPort(), "port: 0\n"))) {
      int port = f.admin.publicPort();
      assertThat(port).isPositive().isNotEqualTo(f.admin.port());
      JsonNode summary = json(get(f, port, "/api/v2/summary.json"));
      assertThat(summary.at("/page/name").asText()).isEqualTo("Service status");
      // Without configured components, each route is one, under its own name.
      assertThat(summary.at("/components/0/name").asText()).isEqualTo("chat-internal-route");
      assertThat(get(f, port, "/").statusCode()).isEqualTo(200);
      assertThat(get(f, port, "/incidents").statusCode()).as("no admin API here").isEqualTo(404);
      assertThat(get(f, port, "/metrics").statusCode()).isEqualTo(404);
      HttpResponse<String> post = f.client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
          + "/api/v2/summary.json")).POST(HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(post.statusCode()).isEqualTo(405);
      assertThat(f.admin("/public/api/v2/summary.json", false).statusCode()).as("not on the admin listener")
          .isEqualTo(401);
    }
  }

  @Test
  void aRouteInMaintenanceShowsItsComponentsUnderMaintenanceWithTheOperatorsText() throws Exception {
    int port = closedPort();
    try (MonitoringFixture f = new MonitoringFixture(port, null, config(port, COMPONENTS))) {
      f.seconds(1);
      String text = "Upgrading the model servers; back by 15:00 UTC.";
      assertThat(send(f, "PUT", "/overrides/routes/chat-internal-route/maintenance",
          "{\"message\": \"" + text + "\", \"retryAfterSeconds\": 600}").statusCode()).isEqualTo(200);
      for (int i = 0; i < 5; i++) {
        assertThat(chat(f).statusCode()).isEqualTo(503);
      }
      f.awaitRecords(5);
      f.seconds(3);

      HttpResponse<String> raw = f.admin("/public/api/v2/summary.json", false);
      assertThat(raw.body()).doesNotContain("chat-internal-route").doesNotContain("gpu-pool-internal");
      JsonNode summary = json(raw);
      assertThat(summary.at("/components/0/status").asText()).isEqualTo("under_maintenance");
      assertThat(summary.at("/status/indicator").asText()).isEqualTo("maintenance");
      assertThat(summary.at("/status/description").asText()).isEqualTo("Service Under Maintenance");
      assertThat(summary.get("incidents")).as("maintenance is no incident, nor capacity shedding").isEmpty();
      JsonNode maintenance = summary.at("/scheduled_maintenances/0");
      assertThat(maintenance.get("status").asText()).isEqualTo("in_progress");
      assertThat(maintenance.get("impact").asText()).isEqualTo("maintenance");
      assertThat(maintenance.get("name").asText()).isEqualTo("Chat API under maintenance");
      assertThat(maintenance.at("/incident_updates/0/body").asText()).isEqualTo(text);
      assertThat(maintenance.at("/components/0/name").asText()).isEqualTo("Chat API");
      assertThat(json(f.admin("/public/api/v2/scheduled-maintenances/active.json", false))
          .at("/scheduled_maintenances/0/id").asText()).isEqualTo(maintenance.get("id").asText());
      assertThat(json(f.admin("/public/api/v2/scheduled-maintenances/upcoming.json", false))
          .get("scheduled_maintenances")).isEmpty();

      assertThat(send(f, "DELETE", "/overrides/routes/chat-internal-route/maintenance", null).statusCode())
          .isEqualTo(200);
      f.seconds(1);
      summary = json(f.admin("/public/api/v2/summary.json", false));
      assertThat(summary.at("/components/0/status").asText()).isEqualTo("operational");
      assertThat(summary.get("scheduled_maintenances")).isEmpty();
      assertThat(summary.at("/status/indicator").asText()).isEqualTo("none");
    }
  }

  @Test
  void theComponentsFollowAReloadThatAddsAndRemovesRoutes() throws Exception {
    int port = closedPort();
    try (MonitoringFixture f = new MonitoringFixture(port, null, config(port, "title: Example AI status"))) {
      f.seconds(1);
      assertThat(componentNames(f)).containsExactly("chat-internal-route");

      LoadedConfig next = ConfigLoader.parseFile("""
          server: { host: 127.0.0.1, port: 0 }
          tiers: { pro: {} }
          tenants:
            - { name: acme-secret-tenant, tier: pro, keys: ["%s"] }
          backends:
            gpu-pool-internal: { endpoints: ["http://127.0.0.1:%d"] }
            embed-pool: { endpoints: ["http://127.0.0.1:%d"] }
          routes:
            - { name: Embeddings, match: { pathPrefix: /v1/embeddings }, backend: embed-pool }
            - { name: Chat, match: { pathPrefix: / }, backend: gpu-pool-internal }
          """.formatted(KEY, port, port), "spillway.yaml", name -> null);
      assertThat(f.gateway.reload(next.gateway()).applied()).isTrue();
      f.seconds(1);

      assertThat(componentNames(f)).containsExactly("Embeddings", "Chat");
      assertThat(f.post("/incidents", """
          {"title": "Slow embeddings", "components": ["Embeddings"], "text": "Looking into it."}
          """, true).statusCode()).as("operators name the components of the moment").isEqualTo(201);
      assertError(f.post("/incidents", """
          {"title": "Old", "components": ["chat-internal-route"], "text": "Gone."}
          """, true), 400, "components");
    }
  }

  /** {@code method path} on the admin server with the token and, unless {@code null}, a JSON body. */
  private static HttpResponse<String> send(MonitoringFixture f, String method, String path, String json)
      throws Exception {
    return f.client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + f.admin.port() + path))
        .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + MonitoringFixture.TOKEN)
        .header("Content-Type", "application/json")
        .method(method, json == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static List<String> componentNames(MonitoringFixture f) throws Exception {
    List<String> names = new ArrayList<>();
    json(f.admin("/public/api/v2/components.json", false)).get("components")
        .forEach(c -> names.add(c.get("name").asText()));
    return names;
  }

  private static HttpResponse<String> chat(MonitoringFixture f) throws Exception {
    return f.client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + f.gateway.port()
            + "/v1/chat/completions")).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json").header("Authorization", "Bearer " + KEY)
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(MonitoringFixture f, int port, String path) throws Exception {
    return f.client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(HttpResponse<String> r) throws Exception {
    assertThat(r.statusCode()).as(r.uri() + ": " + r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("application/json");
    return MAPPER.readTree(r.body());
  }

  private static void assertError(HttpResponse<String> r, int status, String param) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    JsonNode error = MAPPER.readTree(r.body()).get("error");
    assertThat(error.get("message").asText()).isNotEmpty();
    assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
    if (param != null) {
      assertThat(error.get("param").asText()).isEqualTo(param);
    }
  }

  /** Parses the feed with the JDK's XML parser and checks what RFC 4287 requires of a feed and its entries. */
  static Document atom(HttpResponse<String> r) throws Exception {
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("application/atom+xml");
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setNamespaceAware(true);
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    Document doc = factory.newDocumentBuilder()
        .parse(new ByteArrayInputStream(r.body().getBytes(StandardCharsets.UTF_8)));
    Element feed = doc.getDocumentElement();
    assertThat(feed.getLocalName()).isEqualTo("feed");
    assertThat(feed.getNamespaceURI()).isEqualTo(ATOM);
    assertThat(child(feed, "id")).contains(":");
    assertThat(child(feed, "title")).isNotBlank();
    Instant.parse(child(feed, "updated"));
    Element author = (Element) feed.getElementsByTagNameNS(ATOM, "author").item(0);
    assertThat(author).as("feed author").isNotNull();
    assertThat(child(author, "name")).isNotBlank();
    NodeList entries = entries(doc);
    for (int i = 0; i < entries.getLength(); i++) {
      Element e = (Element) entries.item(i);
      assertThat(child(e, "id")).startsWith("tag:");
      assertThat(child(e, "title")).isNotBlank();
      Instant.parse(child(e, "updated"));
      assertThat(e.getElementsByTagNameNS(ATOM, "link").getLength()).isPositive();
    }
    return doc;
  }

  private static NodeList entries(Document feed) {
    return feed.getElementsByTagNameNS(ATOM, "entry");
  }

  private static String child(Element parent, String name) {
    NodeList list = parent.getElementsByTagNameNS(ATOM, name);
    assertThat(list.getLength()).as("atom:" + name + " in " + parent.getLocalName()).isPositive();
    return list.item(0).getTextContent();
  }

  /** A port nothing listens on. */
  private static int closedPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
