package io.depot;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class ByteSizeTest {
  @Test
  void parsesTheUnitsEveryModuleAccepts() {
    assertEquals(1048576, ByteSize.parse("1048576"));
    assertEquals(64L << 20, ByteSize.parse("64m"));
    assertEquals(64L << 20, ByteSize.parse("64M"));
    assertEquals(1L << 30, ByteSize.parse("1GiB"));
    assertEquals(5L << 20, ByteSize.parse("5 MB"));
    assertEquals(1024, ByteSize.parse("1k"));
    assertEquals(2L << 40, ByteSize.parse(" 2t "));
    assertEquals(12, ByteSize.parse("12b"));
    for (String bad : new String[] {"lots", "", "m", "-1", "+5", "1.5g", "9999999999999t"}) {
      assertEquals(-1, ByteSize.tryParse(bad), bad);
      InvalidArgumentException e =
          assertThrows(InvalidArgumentException.class, () -> ByteSize.parse(bad));
      assertTrue(e.getMessage().endsWith(": " + bad), e.getMessage());
    }
  }

  @Test
  void formatsInTheLargestUnit() {
    assertEquals("512 B", ByteSize.format(512));
    assertEquals("1.0 KiB", ByteSize.format(1024));
    assertEquals("9.5 MiB", ByteSize.format(10_000_000));
    assertEquals("64.0 GiB", ByteSize.format(64L << 30));
    assertEquals("8.0 EiB", ByteSize.format(Long.MAX_VALUE));
    assertEquals("10000000 (9.5 MiB)", ByteSize.describe(10_000_000));
    assertEquals("512", ByteSize.describe(512));
  }

  @Test
  void messagesGiveSizesInHumanUnits() {
    InvalidArgumentException e =
        assertThrows(InvalidArgumentException.class, () -> DepotOptions.builder().capacity(1));
    assertEquals("capacity must be 1.0 MiB..64.0 TiB: capacity=1", e.getMessage());
  }
}
