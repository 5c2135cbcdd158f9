package dev.wanllmdb;

import java.security.SecureRandom;

final class Ids {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

  private Ids() {}

  static String random(int n) {
    StringBuilder out = new StringBuilder(n);
    for (int i = 0; i < n; i++) out.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
    return out.toString();
  }
}
