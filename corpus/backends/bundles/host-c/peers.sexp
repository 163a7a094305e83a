(peers
 (version "1")
 (host host-c)
 (hit-format orchid-v2)
 (local
  (name vm-4)
  (vpxi bronze)
  (hit "2001:21:c9:386c:c771:a036:84b4:6f02")
  (lsi "1.180.111.2")
  (public-key
   (rsa-pkcs1-sha256
    (n |AKdESbSDey8UOYmq7TGBEvPn1X/QgFfRwLR1Qf8pesEmkSrbOSqx9Zwb5+/26G7nD6J2fEYP2kAsNaWpfabgL4prkzBDNumCFQ/tUJ8Zpqy5IsVIvLZoQiv+clspJPnye1o7JwPle5MU/1bS0Nufi2NeCcl/VSMIm2AdV7NzDdankYwBiP5Z+DNqiB8Di2+wMEz1wh6ca8NTuyRbx7MDvh5NYWl71cyzIkhxXzcoNcC8bAlxmnszxr8ku+uviEsrAkwpdSdSjU+a633vBbCRO4n1t3LRhQjEvVt9MTjMzB9QJEEo2/UbdCFHgb0rXtT6BFT0x31PswPdEkNj13jqoPM=|)
    (e |AQAB|))))
 (peer
  (name vm-5)
  (vpxi bronze)
  (host host-a)
  (hit "2001:21:fb4a:50c6:8ebf:1409:45e6:40")
  (lsi "1.230.0.64")
  (public-key
   (rsa-pkcs1-sha256
    (n |AOE+1lEV8IeCxaOp9JznACoVYRou6bg4NwZ+5XUbQ6hIil8u8i4FbRBreZ08hM4kMp1m5MP2ZPkI05XptgqqfkacA4/3VGrRU65AYcE9/+a5YcHnCI/kOFki14TvAdee0YsZXlkw3FfGR0AP+OS97cZI+Z00Eu1STdbyc/WVuPIqa+SuE6+KTzcOFZQKYh4Q/ucZnfU3pnfgF0WEjuiIrqyiE2gIvMFHpWnTuuShzkptnfx3vc/aFKRJ9VG7vCV7L1qxtlbMCCkuSBli50/TKCVD+MwT+Lpiazcg1IVBcgtpfgbqhc6ZPxQytacdMo8JOuSk7RGB5y0OxEJom2KzV3E=|)
    (e |AQAB|)))
  (locators "192.0.2.1" "2001:db8::1")
  (linked-from vm-4)))
