/**
 * A JSON codec for Depot values, on Jackson: typed ({@code JsonCodec.of(Class)}) and untyped (maps
 * and lists).
 */
module io.depot.codec.json {
  requires static transitive org.jspecify; // @NullMarked and @Nullable in the API: compile-time
  // only
  requires transitive io.depot.core;
  requires transitive com.fasterxml.jackson.databind;

  exports io.depot.codec.json;

  provides io.depot.Codec with
      io.depot.codec.json.UntypedJsonCodec;
}
