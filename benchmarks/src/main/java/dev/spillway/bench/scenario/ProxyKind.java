package dev.spillway.bench.scenario;

/** The proxies the scenarios compare. */
public enum ProxyKind {
  SPILLWAY("Spillway"),
  NGINX("nginx"),
  HAPROXY("HAProxy");

  private final String label;

  ProxyKind(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }
}
