package dev.spillway.core.admission.reject;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The page a browser sees instead of the JSON error: self-contained (inline CSS and script, no external
 * asset, no link), it counts the {@code Retry-After} seconds down and reloads itself; without script a
 * {@code <meta http-equiv="refresh">} inside {@code <noscript>} reloads it and a note says so.
 *
 * <p>The page is encoded once into the byte segments between its countdown placeholders; a rendering wraps
 * those shared segments around the seconds' digits, so the only per-request bytes are the digits.
 */
final class AtCapacityPage {
  private static final String SECONDS = "\u0000SECONDS\u0000";
  private static final String TEMPLATE = """
      <!DOCTYPE html>
      <html lang="en">
      <head>
      <meta charset="utf-8">
      <meta name="viewport" content="width=device-width, initial-scale=1">
      <meta name="robots" content="noindex">
      <noscript><meta http-equiv="refresh" content="%1$s"></noscript>
      <title>%2$s</title>
      <style>
      body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;\
      font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f4f5f7;color:#1f2328}
      main{max-width:32rem;margin:1.5rem;padding:2rem 2.25rem;background:#fff;border-radius:12px;\
      box-shadow:0 2px 12px rgba(0,0,0,.08)}
      h1{margin:0 0 .75rem;font-size:1.4rem}
      p{margin:.5rem 0}
      .retry{color:#57606a}
      .code{color:#8c959f;font-size:.85rem;margin-top:1.25rem}
      @media (prefers-color-scheme:dark){body{background:#0d1117;color:#e6edf3}main{background:#161b22}\
      .retry{color:#9198a1}}
      </style>
      </head>
      <body>
      <main>
      <h1>%2$s</h1>
      <p>%3$s</p>
      <p class="retry">Trying again in <strong id="countdown">%1$s</strong> s.</p>
      <noscript><p class="retry">This page reloads itself after %1$s seconds.</p></noscript>
      <p class="code">HTTP %4$d</p>
      </main>
      <script>
      (function(){var el=document.getElementById("countdown");var left=parseInt(el.textContent,10);\
      var timer=setInterval(function(){left--;if(left<=0){clearInterval(timer);location.reload();}\
      else{el.textContent=String(left);}},1000);})();
      </script>
      </body>
      </html>
      """;

  private final byte[][] segments;

  /**
   * @param title shown as heading and window title (plain text, escaped here)
   * @param message the configured rejection message (plain text, escaped here)
   */
  AtCapacityPage(String title, String message, int statusCode) {
    String page = String.format(TEMPLATE, SECONDS, Escaping.html(title), Escaping.html(message), statusCode);
    List<byte[]> parts = new ArrayList<>();
    int from = 0;
    for (int at = page.indexOf(SECONDS); at >= 0; at = page.indexOf(SECONDS, from)) {
      parts.add(page.substring(from, at).getBytes(StandardCharsets.UTF_8));
      from = at + SECONDS.length();
    }
    parts.add(page.substring(from).getBytes(StandardCharsets.UTF_8));
    this.segments = parts.toArray(new byte[0][]);
  }

  /** The page counting down from {@code seconds}, as a buffer over the shared segments. */
  ByteBuf render(long seconds) {
    byte[] digits = Long.toString(seconds).getBytes(StandardCharsets.US_ASCII);
    byte[][] pieces = new byte[segments.length * 2 - 1][];
    for (int i = 0; i < segments.length; i++) {
      pieces[i * 2] = segments[i];
      if (i + 1 < segments.length) {
        pieces[i * 2 + 1] = digits;
      }
    }
    return Unpooled.wrappedBuffer(pieces.length, pieces);
  }

  /** The shared segments, for tests that check nothing is rebuilt. */
  byte[][] segments() {
    return segments;
  }
}
