; A certificate with display hints, dates and a structured tag.
(cert
 (version "0")
 (display [text/plain]"registrar lyon -> alice")
 (issuer (public-key (rsa-pkcs1-sha256 (n |AMIX9rOCM61Q7lAjF+CZs9JvW/+QEFrxvz75m5jsXaSV3wftT0idHAr2uW3tDMQbHrYNxIvDjrTyZcOnARmEl6kTKHVcBXcclWabUAG0pxC6UaqvkoSe5E39BsRYm5KL/6LRbUYoAlmMTKxaS9HzwyH6Zgctg+URH6w60PzYvrdGoYFCGIc8F5tYgIVQB5eYS1z3aHkHQUjp+3dOce0Og7Z1I2QVUtyV6oJNT0PShwZeDkC3kVqb/OwjgOFnjkA99pmmVb8TPaes71z9kxmz3IforQo+z4eMihebdX69I381Ubkz/6ueyig2BaS0GvtPYUZCSH7QvOHH+8sHUi+LHX0=|) (e #010001#))))
 (subject (hash sha256 |nZ0m8Li0vPxbN1SoMnVjMXy4q5JeGz0ySW9vZkAoGdY=|))
 (propagate)
 (tag (vpxi "bronze-standard"
            (resource (hash sha256 #2a5e3b9fa9b1b0c28e4f6a3d0d1c2b3a4f5e6d7c8b9a0f1e2d3c4b5a69788796#))
            (* set ssh (file (* set read write) (* prefix "/data/study-42")))))
 (valid (not-before "2026-12-01_08:00:00") (not-after "2026-12-02_20:00:00"))
 (comment ["text/plain; charset=utf-8"]"renewed every 12h"))
