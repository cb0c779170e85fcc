/**
 * Spring Boot auto-configuration for Depot: {@link io.depot.spring.DepotAutoConfiguration} turns
 * {@code depot.stm.uri}, {@code depot.storage.*} and {@code depot.store.*} properties ({@link
 * io.depot.spring.DepotProperties}) into beans closed with the context. Registered in {@code
 * META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports}.
 */
package io.depot.spring;
