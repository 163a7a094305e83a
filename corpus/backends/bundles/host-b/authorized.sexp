(authorized
 (version "1")
 (host host-b)
 (vm
  (name vm-2)
  (hit "2001:21:b431:618e:fe6b:cf3a:8b51:8ff7")
  (login
   (user bob)
   (not-before "2026-12-01_08:00:00")
   (expires "2026-12-02_14:00:00")
   (chain
    (sequence (cert (issuer registrar) (subject bob) (tag (vpxi bronze (resource vm-2) ssh)))))))
 (vm (name vm-3) (hit "2001:21:3872:9f0f:3779:80dd:8569:e7e1")))
