/**
 * JSON values for Depot: {@link io.depot.codec.json.JsonCodec}, a Jackson {@link io.depot.Codec}
 * with id {@code "json"}, also registered as a {@link java.util.ServiceLoader} service ({@link
 * io.depot.codec.json.UntypedJsonCodec}).
 *
 * <p>Thread safety: codecs are immutable and may be shared by any threads. Errors: {@code
 * encode}/{@code decode} throw {@link java.io.IOException} naming the type (as the {@link
 * io.depot.Codec} contract asks; Depot wraps it in {@link io.depot.CodecException}); the byte-array
 * conveniences throw {@link io.depot.CodecException} directly. Security: the bytes never choose a
 * class (no default typing, class-name polymorphism refused).
 */
@NullMarked
package io.depot.codec.json;

import org.jspecify.annotations.NullMarked;
