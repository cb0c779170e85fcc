/**
 * Spring AI chat memory on Depot's short-term memory: {@link
 * io.depot.spring.ai.DepotChatMemoryRepository}, a {@code ChatMemoryRepository} for Spring AI's
 * {@code MessageWindowChatMemory}, and its auto-configuration. Thread-safe; errors are Depot's
 * unchecked {@link io.depot.DepotException}s.
 */
package io.depot.spring.ai;
