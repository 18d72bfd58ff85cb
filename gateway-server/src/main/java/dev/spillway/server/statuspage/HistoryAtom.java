package dev.spillway.server.statuspage;

import java.io.ByteArrayOutputStream;
import java.time.Instant;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * The incident history as an Atom 1.0 feed (RFC 4287): one entry per incident, newest first, its updates as
 * the entry's text. Ids are tag URIs that do not depend on the address the feed was fetched from; an entry's
 * holds the incident's start time as well as its number, since numbers start again with each process.
 */
final class HistoryAtom {
  private static final String ATOM = "http://www.w3.org/2005/Atom";
  private static final XMLOutputFactory XML = XMLOutputFactory.newFactory();

  private HistoryAtom() {}

  /**
   * Links are relative to the feed (RFC 4287 allows IRI references), so the feed never repeats the address it
   * was fetched from.
   */
  static byte[] render(PublicModel m) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
    try {
      XMLStreamWriter w = XML.createXMLStreamWriter(out, "UTF-8");
      w.writeStartDocument("UTF-8", "1.0");
      w.writeStartElement("feed");
      w.writeDefaultNamespace(ATOM);
      String id = "tag:spillway,2024:status/" + Words.slug(m.title(), 0);
      text(w, "id", id);
      text(w, "title", m.title() + " status history");
      text(w, "updated", updated(m).toString());
      link(w, "self", "history.atom", "application/atom+xml");
      link(w, "alternate", "./", "text/html");
      w.writeStartElement("author");
      text(w, "name", m.title());
      w.writeEndElement();
      for (PublicModel.PublicIncident i : m.incidents()) {
        w.writeStartElement("entry");
        text(w, "id", id + "/incident/" + i.createdAt().toEpochMilli() + "-" + i.id());
        text(w, "title", i.name() + " (" + i.status() + ")");
        text(w, "updated", i.updatedAt().toString());
        text(w, "published", i.createdAt().toString());
        link(w, "alternate", "./#incident-" + i.id(), "text/html");
        StringBuilder content = new StringBuilder();
        for (PublicModel.Update u : i.updates()) {
          content.append(u.at()).append(" ").append(u.status()).append(": ").append(u.body()).append('\n');
        }
        content.append("Affected: ").append(String.join(", ",
            i.components().stream().map(PublicModel.Component::name).toList()));
        w.writeStartElement("content");
        w.writeAttribute("type", "text");
        w.writeCharacters(content.toString());
        w.writeEndElement();
        w.writeEndElement();
      }
      w.writeEndElement();
      w.writeEndDocument();
      w.close();
    } catch (XMLStreamException e) {
      throw new IllegalStateException("cannot write the Atom feed", e);
    }
    return out.toByteArray();
  }

  /** The latest change: the newest incident update, or the page's time when there is none. */
  private static Instant updated(PublicModel m) {
    return m.incidents().stream().map(PublicModel.PublicIncident::updatedAt).max(Instant::compareTo)
        .orElse(m.updatedAt());
  }

  private static void text(XMLStreamWriter w, String name, String value) throws XMLStreamException {
    w.writeStartElement(name);
    w.writeCharacters(value);
    w.writeEndElement();
  }

  private static void link(XMLStreamWriter w, String rel, String href, String type) throws XMLStreamException {
    w.writeEmptyElement("link");
    w.writeAttribute("rel", rel);
    w.writeAttribute("href", href);
    w.writeAttribute("type", type);
  }
}
