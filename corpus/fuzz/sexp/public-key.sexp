; An RSA public key as SPKI writes it (2048 bits, e = 65537).
(public-key
 (rsa-pkcs1-sha256
  (n |AMIX9rOCM61Q7lAjF+CZs9JvW/+QEFrxvz75m5jsXaSV3wftT0idHAr2uW3tDMQbHrYNxIvDjrTyZcOnARmEl6kTKHVcBXcclWabUAG0pxC6UaqvkoSe5E39BsRYm5KL/6LRbUYoAlmMTKxaS9HzwyH6Zgctg+URH6w60PzYvrdGoYFCGIc8F5tYgIVQB5eYS1z3aHkHQUjp+3dOce0Og7Z1I2QVUtyV6oJNT0PShwZeDkC3kVqb/OwjgOFnjkA99pmmVb8TPaes71z9kxmz3IforQo+z4eMihebdX69I381Ubkz/6ueyig2BaS0GvtPYUZCSH7QvOHH+8sHUi+LHX0=|)
  (e #010001#)))
