/**
 * LangChain4j chat memory on Depot's short-term memory: {@link
 * io.depot.langchain4j.DepotChatMemoryStore}, a {@code ChatMemoryStore} for LangChain4j's {@code
 * MessageWindowChatMemory} and {@code TokenWindowChatMemory}, on shared memory ({@code shm:}),
 * Redis ({@code redis://}) or in-process ({@code mem:}).
 *
 * <p>Thread-safe; errors are Depot's unchecked {@link io.depot.DepotException}s (for instance
 * {@link io.depot.stm.StmConnectionException} naming the Redis address).
 */
package io.depot.langchain4j;
