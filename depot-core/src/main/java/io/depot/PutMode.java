package io.depot;

/** What a write does when the name is already taken. */
public enum PutMode {
  /**
   * Fail with {@link ObjectExistsException} if an object of that name is committed or being
   * written.
   */
  CREATE,
  /**
   * Publish the new value in place of the committed one at commit. Readers see the old value or the
   * new one, never neither; handles on the old value stay valid until closed. When writers race,
   * the last commit wins.
   */
  REPLACE
}
