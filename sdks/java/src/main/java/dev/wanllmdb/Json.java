package dev.wanllmdb;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The little JSON this SDK needs (the JDK has none): writing maps, lists and scalars; reading answers. */
final class Json {
  private Json() {}

  /** JSON text of a value; a NaN or infinite number, or an unknown type, is refused naming {@code path}. */
  static String write(Object value, String path) {
    StringBuilder out = new StringBuilder();
    write(out, value, path);
    return out.toString();
  }

  static void write(StringBuilder out, Object value, String path) {
    if (value == null) {
      out.append("null");
    } else if (value instanceof String s) {
      quote(out, s);
    } else if (value instanceof Boolean b) {
      out.append(b);
    } else if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        throw new InvalidValueException(path, path + " is " + d + ", which JSON cannot hold");
      }
      out.append(d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) + ".0" : Double.toString(d));
    } else if (value instanceof Number n) {
      out.append(n.longValue());
    } else if (value instanceof Map<?, ?> m) {
      out.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!(e.getKey() instanceof String k)) {
          throw new InvalidValueException(path, path + ": keys must be strings, not " + e.getKey());
        }
        if (!first) out.append(',');
        first = false;
        quote(out, k);
        out.append(':');
        write(out, e.getValue(), path.isEmpty() ? k : path + "." + k);
      }
      out.append('}');
    } else if (value instanceof List<?> l) {
      out.append('[');
      for (int i = 0; i < l.size(); i++) {
        if (i > 0) out.append(',');
        write(out, l.get(i), path + "[" + i + "]");
      }
      out.append(']');
    } else {
      throw new InvalidValueException(path, path + " is a " + value.getClass().getSimpleName()
          + "; send a number, string, boolean, null, Map or List");
    }
  }

  static void quote(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
          else out.append(c);
        }
      }
    }
    out.append('"');
  }

  /** Parses JSON text into Map, List, String, Double/Long, Boolean or null. */
  static Object parse(String text) {
    Parser p = new Parser(text);
    Object value = p.value();
    p.ws();
    if (p.i != text.length()) throw new IllegalArgumentException("trailing JSON at " + p.i);
    return value;
  }

  private static final class Parser {
    final String s;
    int i;

    Parser(String s) {
      this.s = s;
    }

    void ws() {
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
    }

    Object value() {
      ws();
      if (i >= s.length()) throw new IllegalArgumentException("unexpected end of JSON");
      char c = s.charAt(i);
      switch (c) {
        case '{': {
          i++;
          Map<String, Object> m = new LinkedHashMap<>();
          ws();
          if (s.charAt(i) == '}') {
            i++;
            return m;
          }
          while (true) {
            ws();
            String k = string();
            ws();
            expect(':');
            m.put(k, value());
            ws();
            if (s.charAt(i) == ',') {
              i++;
              continue;
            }
            expect('}');
            return m;
          }
        }
        case '[': {
          i++;
          List<Object> l = new ArrayList<>();
          ws();
          if (s.charAt(i) == ']') {
            i++;
            return l;
          }
          while (true) {
            l.add(value());
            ws();
            if (s.charAt(i) == ',') {
              i++;
              continue;
            }
            expect(']');
            return l;
          }
        }
        case '"':
          return string();
        case 't':
          i += 4;
          return Boolean.TRUE;
        case 'f':
          i += 5;
          return Boolean.FALSE;
        case 'n':
          i += 4;
          return null;
        default:
          int start = i;
          while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) i++;
          String num = s.substring(start, i);
          if (num.isEmpty()) throw new IllegalArgumentException("bad JSON at " + start);
          if (num.contains(".") || num.contains("e") || num.contains("E")) return Double.parseDouble(num);
          return Long.parseLong(num);
      }
    }

    void expect(char c) {
      if (i >= s.length() || s.charAt(i) != c) throw new IllegalArgumentException("expected '" + c + "' at " + i);
      i++;
    }

    String string() {
      expect('"');
      StringBuilder out = new StringBuilder();
      while (true) {
        char c = s.charAt(i++);
        if (c == '"') return out.toString();
        if (c != '\\') {
          out.append(c);
          continue;
        }
        char e = s.charAt(i++);
        switch (e) {
          case 'n' -> out.append('\n');
          case 't' -> out.append('\t');
          case 'r' -> out.append('\r');
          case 'b' -> out.append('\b');
          case 'f' -> out.append('\f');
          case 'u' -> {
            out.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
            i += 4;
          }
          default -> out.append(e);
        }
      }
    }
  }
}
