(sequence
 (public-key (rsa-pkcs1-sha256 (n |AMIX9rOCM61Q7lAjF+CZs9JvW/+QEFrxvz75m5jsXaSV3wftT0idHAr2uW3tDMQbHrYNxIvDjrTyZcOnARmEl6kTKHVcBXcclWabUAG0pxC6UaqvkoSe5E39BsRYm5KL/6LRbUYoAlmMTKxaS9HzwyH6Zgctg+URH6w60PzYvrdGoYFCGIc8F5tYgIVQB5eYS1z3aHkHQUjp+3dOce0Og7Z1I2QVUtyV6oJNT0PShwZeDkC3kVqb/OwjgOFnjkA99pmmVb8TPaes71z9kxmz3IforQo+z4eMihebdX69I381Ubkz/6ueyig2BaS0GvtPYUZCSH7QvOHH+8sHUi+LHX0=|) (e #010001#)))
 (do hash sha256)
 (cert
  (issuer (hash sha256 |nZ0m8Li0vPxbN1SoMnVjMXy4q5JeGz0ySW9vZkAoGdY=|))
  (subject (name (hash sha256 |vJ4rYl0n9mVuXq3oUq8uN0pKcA0bH9xO5dQ2h3jB6tk=|) "workers"))
  (tag (ssh))
  (valid (not-after "2026-12-21_20:00:00")))
 (signature
  (hash sha256 |vJ4rYl0n9mVuXq3oUq8uN0pKcA0bH9xO5dQ2h3jB6tk=|)
  (hash sha256 |nZ0m8Li0vPxbN1SoMnVjMXy4q5JeGz0ySW9vZkAoGdY=|)
  (rsa-pkcs1-sha256 |Zm9vYmFy|)))
