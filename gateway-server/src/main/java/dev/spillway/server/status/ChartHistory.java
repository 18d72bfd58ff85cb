package dev.spillway.server.status;

import dev.spillway.core.observe.ExchangeRecord;
import dev.spillway.core.observe.RequestResult;
import dev.spillway.core.time.Ticker;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The status page's chart data: 15 minutes of per-second values for the whole gateway, each route and each
 * backend ({@link ChartLane}), re-rendered as JSON ({@link ChartJson}) once a second. Components appear when
 * first tracked, seen in a finished request or sampled, so failover backends and reloaded routes show up too.
 * {@link #record}, {@link #sample} and {@link #tick} run on the monitor thread only; {@link #json} is safe to
 * read from any thread.
 */
public final class ChartHistory {
  /** The same history as the status tracker's. */
  public static final int HISTORY_SECONDS = StatusTracker.HISTORY_SECONDS;
  /** Lanes beyond this many (a config with hundreds of routes) are not charted, so memory stays bounded. */
  static final int MAX_LANES = 256;
  static final String GATEWAY = "gateway";

  private final Ticker ticker;
  private final WallClock wall;
  private final long originNanos;
  private final Map<String, ChartLane> lanes = new LinkedHashMap<>();
  private long second;
  private volatile Map<String, byte[]> rendered = Map.of();

  public ChartHistory(Ticker ticker, WallClock wall) {
    this.ticker = ticker;
    this.wall = wall;
    this.originNanos = ticker.nanoTime();
    lanes.put(GATEWAY, new ChartLane(HISTORY_SECONDS, 0));
    render();
  }

  /** Shows {@code kind} ({@code route} or {@code backend}) {@code name} even before it sees traffic. */
  public void track(String kind, String name) {
    lane(kind + ":" + name);
  }

  /** Counts one finished request for the gateway, its route and its backend. */
  public void record(ExchangeRecord r) {
    RequestResult kind = RequestResult.of(r);
    lanes.get(GATEWAY).record(r, kind);
    if (r.route() != null) {
      ChartLane route = lane("route:" + r.route());
      if (route != null) {
        route.record(r, kind);
      }
    }
    if (r.backend() != null) {
      ChartLane backend = lane("backend:" + r.backend());
      if (backend != null) {
        backend.record(r, kind);
      }
    }
  }

  /** Samples one backend's concurrency limit, requests in flight and waiting room now. */
  public void sample(String backend, int limit, int inFlight, int queued) {
    ChartLane lane = lane("backend:" + backend);
    if (lane != null) {
      lane.sample(limit, inFlight, queued);
    }
  }

  /** Samples the whole gateway's waiting rooms (the sum over backends). */
  public void sampleGatewayQueue(int queued) {
    ChartLane lane = lanes.get(GATEWAY);
    lane.sample(0, 0, queued);
  }

  /** Closes the seconds that have passed and re-renders the JSON; returns whether a second closed. */
  public boolean tick() {
    long nowSecond = (ticker.nanoTime() - originNanos) / 1_000_000_000L;
    if (nowSecond - second <= 0) {
      return false;
    }
    second = nowSecond;
    lanes.values().forEach(l -> l.roll(nowSecond));
    render();
    return true;
  }

  /** The chart JSON of component {@code id} ({@code gateway}, {@code route:NAME}, {@code backend:NAME}), or null. */
  public byte[] json(String id) {
    return rendered.get(id == null || id.isEmpty() ? GATEWAY : id);
  }

  private ChartLane lane(String id) {
    ChartLane lane = lanes.get(id);
    if (lane == null && lanes.size() < MAX_LANES) {
      lane = new ChartLane(HISTORY_SECONDS, second);
      lanes.put(id, lane);
    }
    return lane;
  }

  private void render() {
    int points = (int) Math.min(HISTORY_SECONDS, Math.max(1, second));
    List<String> ids = new ArrayList<>(lanes.keySet());
    Map<String, byte[]> out = new LinkedHashMap<>();
    for (Map.Entry<String, ChartLane> e : lanes.entrySet()) {
      ChartLane lane = e.getValue();
      ChartSeries s = lane.series(points);
      double startEpochSeconds = wall.at(originNanos + s.from() * 1_000_000_000L).toEpochMilli() / 1000.0;
      boolean gateway = e.getKey().equals(GATEWAY);
      out.put(e.getKey(), ChartJson.render(e.getKey(), ids, startEpochSeconds, s, lane.sampled() && !gateway));
    }
    rendered = Map.copyOf(out);
  }
}
