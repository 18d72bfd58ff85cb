package dev.spillway.core.config;

/** How important a tenant's traffic is when the gateway must choose whom to shed. Lower classes go first. */
public enum PriorityClass {
  CRITICAL,
  STANDARD,
  SHEDDABLE
}
