package io.depot.spring;

import io.depot.Depot;
import io.depot.DepotOptions;
import io.depot.stm.ShortTermMemory;
import io.depot.storage.StorageProviders;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Depot's beans from properties, each only when its property is set and no bean of the type exists:
 * {@code depot.stm.uri} → {@link ShortTermMemory}; {@code depot.storage.store} → {@link
 * StorageProviders} (every {@code depot.storage.*} property passed on); {@code depot.store.name} →
 * {@link Depot}. Each is closed when the context closes.
 */
@AutoConfiguration
@EnableConfigurationProperties(DepotProperties.class)
public class DepotAutoConfiguration {
  /** The short-term memory at {@code depot.stm.uri}. */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  @ConditionalOnProperty("depot.stm.uri")
  public ShortTermMemory depotShortTermMemory(DepotProperties properties) {
    return ShortTermMemory.open(properties.getStm().getUri());
  }

  /** The storage providers of {@code depot.storage.*}. */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  @ConditionalOnProperty(StorageProviders.STORE)
  public StorageProviders depotStorageProviders(Environment environment) {
    Map<String, String> relative =
        Binder.get(environment)
            .bind("depot.storage", Bindable.mapOf(String.class, String.class))
            .orElse(Map.of());
    Map<String, String> config = new LinkedHashMap<>();
    relative.forEach((k, v) -> config.put(StorageProviders.PREFIX + k, v));
    return StorageProviders.open(config);
  }

  /**
   * The shared-memory store {@code depot.store.name}, created if absent unless {@code
   * depot.store.create=false}.
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  @ConditionalOnProperty("depot.store.name")
  public Depot depot(DepotProperties properties) {
    DepotProperties.Store p = properties.getStore();
    DepotOptions.Builder options = DepotOptions.builder();
    if (p.getCapacity() != null) {
      options.capacity(p.getCapacity().toBytes());
    }
    if (p.getMaxObjects() != null) {
      options.maxObjects(p.getMaxObjects());
    }
    if (p.getDirectory() != null) {
      options.directory(p.getDirectory());
    }
    return p.isCreate()
        ? Depot.openOrCreate(p.getName(), options.build())
        : Depot.open(p.getName(), options.build());
  }
}
