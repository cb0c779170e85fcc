package io.depot.stm.internal;

import io.depot.stm.InvalidKeyException;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * The {@code Map} view of a workflow: single-key operations go straight to the workflow
 * (atomically); iteration and size work on snapshots.
 */
final class WorkflowMap extends AbstractMap<String, Object> {
  private final WorkflowImpl wf;

  WorkflowMap(WorkflowImpl wf) {
    this.wf = wf;
  }

  private static String key(Object key) {
    if (key instanceof String s) {
      return s;
    }
    throw new InvalidKeyException("keys are non-empty strings: key=" + key);
  }

  @Override
  public Object get(Object key) {
    return wf.get(key(key));
  }

  @Override
  public boolean containsKey(Object key) {
    return wf.contains(key(key));
  }

  @Override
  public Object put(String key, Object value) {
    return wf.swap(key, value);
  }

  @Override
  public Object putIfAbsent(String key, Object value) {
    return wf.putIfAbsentOrGet(key, value);
  }

  @Override
  public void putAll(Map<? extends String, ?> m) {
    wf.putAll(Map.copyOf(m));
  }

  @Override
  public Object remove(Object key) {
    return wf.pop(key(key));
  }

  @Override
  public int size() {
    return wf.size();
  }

  @Override
  public boolean isEmpty() {
    return wf.isEmpty();
  }

  @Override
  public void clear() {
    wf.clear();
  }

  @Override
  public Set<String> keySet() {
    return new AbstractSet<>() {
      @Override
      public Iterator<String> iterator() {
        Iterator<String> it = wf.keyList().iterator();
        return new Iterator<>() {
          private String last;

          @Override
          public boolean hasNext() {
            return it.hasNext();
          }

          @Override
          public String next() {
            last = it.next();
            return last;
          }

          @Override
          public void remove() {
            if (last == null) {
              throw new IllegalStateException("next() first");
            }
            wf.remove(last);
            last = null;
          }
        };
      }

      @Override
      public int size() {
        return wf.size();
      }

      @Override
      public boolean contains(Object o) {
        return o instanceof String s && !s.isEmpty() && wf.contains(s);
      }
    };
  }

  @Override
  public Set<Map.Entry<String, Object>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public Iterator<Map.Entry<String, Object>> iterator() {
        Iterator<Map.Entry<String, Object>> it = wf.entries().entrySet().iterator();
        return new Iterator<>() {
          private String last;

          @Override
          public boolean hasNext() {
            return it.hasNext();
          }

          @Override
          public Map.Entry<String, Object> next() {
            Map.Entry<String, Object> e = it.next();
            last = e.getKey();
            return new LiveEntry(wf, e.getKey(), e.getValue());
          }

          @Override
          public void remove() {
            if (last == null) {
              throw new IllegalStateException("next() first");
            }
            wf.remove(last);
            last = null;
          }
        };
      }

      @Override
      public int size() {
        return wf.size();
      }
    };
  }

  /** An entry whose setValue writes through. */
  private static final class LiveEntry implements Map.Entry<String, Object> {
    private final WorkflowImpl wf;
    private final String key;
    private Object value;

    LiveEntry(WorkflowImpl wf, String key, Object value) {
      this.wf = wf;
      this.key = key;
      this.value = value;
    }

    @Override
    public String getKey() {
      return key;
    }

    @Override
    public Object getValue() {
      return value;
    }

    @Override
    public Object setValue(Object newValue) {
      wf.put(key, newValue);
      Object old = value;
      value = newValue;
      return old;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Map.Entry<?, ?> e
          && key.equals(e.getKey())
          && java.util.Objects.equals(value, e.getValue());
    }

    @Override
    public int hashCode() {
      return key.hashCode() ^ java.util.Objects.hashCode(value);
    }

    @Override
    public String toString() {
      return key + "=" + value;
    }
  }
}
