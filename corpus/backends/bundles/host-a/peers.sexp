(peers
 (version "1")
 (host host-a)
 (hit-format orchid-v2)
 (local
  (name vm-1)
  (vpxi bronze)
  (hit "2001:21:f9a5:2bae:178f:d916:e881:61de")
  (lsi "1.129.97.222")
  (public-key
   (rsa-pkcs1-sha256
    (n |ALFPNXcvOIDlNN+GwKgNQunbv/uuu2G1YCYTG7XZvH02/wnDCIVh0SpezahkeaPXQ5JZh+U8xrruvtoIcxQaQwCp9wwTG+e+hhtrvUiscrwJ0PhjbVakaGxGRyBtI/PUJIoY4cMuLXpf/HAqShyfjj5+gXmJrbjOgkO1conUrYKZJSVWGtaPm/1lnB10MUEGJCT9fWwePgeIl2JMd06ihjNUynC5j4sTP78YWoLhWcI5FcHBFwMQeGGWRD93IabsaOir7K9zhkGdbIeOVQC3chLbcE8C94MUX5ryG67grpCjoa/aaAlJQpQuUskvmZlwZLCU3p4l3S0mO82YYh9BkUc=|)
    (e |AQAB|))))
 (local
  (name vm-5)
  (vpxi bronze)
  (hit "2001:21:fb4a:50c6:8ebf:1409:45e6:40")
  (lsi "1.230.0.64")
  (public-key
   (rsa-pkcs1-sha256
    (n |AOE+1lEV8IeCxaOp9JznACoVYRou6bg4NwZ+5XUbQ6hIil8u8i4FbRBreZ08hM4kMp1m5MP2ZPkI05XptgqqfkacA4/3VGrRU65AYcE9/+a5YcHnCI/kOFki14TvAdee0YsZXlkw3FfGR0AP+OS97cZI+Z00Eu1STdbyc/WVuPIqa+SuE6+KTzcOFZQKYh4Q/ucZnfU3pnfgF0WEjuiIrqyiE2gIvMFHpWnTuuShzkptnfx3vc/aFKRJ9VG7vCV7L1qxtlbMCCkuSBli50/TKCVD+MwT+Lpiazcg1IVBcgtpfgbqhc6ZPxQytacdMo8JOuSk7RGB5y0OxEJom2KzV3E=|)
    (e |AQAB|))))
 (peer
  (name vm-1)
  (vpxi bronze)
  (host host-a)
  (hit "2001:21:f9a5:2bae:178f:d916:e881:61de")
  (lsi "1.129.97.222")
  (public-key
   (rsa-pkcs1-sha256
    (n |ALFPNXcvOIDlNN+GwKgNQunbv/uuu2G1YCYTG7XZvH02/wnDCIVh0SpezahkeaPXQ5JZh+U8xrruvtoIcxQaQwCp9wwTG+e+hhtrvUiscrwJ0PhjbVakaGxGRyBtI/PUJIoY4cMuLXpf/HAqShyfjj5+gXmJrbjOgkO1conUrYKZJSVWGtaPm/1lnB10MUEGJCT9fWwePgeIl2JMd06ihjNUynC5j4sTP78YWoLhWcI5FcHBFwMQeGGWRD93IabsaOir7K9zhkGdbIeOVQC3chLbcE8C94MUX5ryG67grpCjoa/aaAlJQpQuUskvmZlwZLCU3p4l3S0mO82YYh9BkUc=|)
    (e |AQAB|)))
  (locators "192.0.2.1" "2001:db8::1")
  (linked-from vm-5))
 (peer
  (name vm-2)
  (vpxi bronze)
  (host host-b)
  (hit "2001:21:b431:618e:fe6b:cf3a:8b51:8ff7")
  (lsi "1.81.143.247")
  (public-key
   (rsa-pkcs1-sha256
    (n |AJX0fVS8wWk6oOqdLe9G/Jc9eSyRczf6Y7iId/P6hi+1IRdAk0u3iHYo93/KsLTMEX9DG2DjRnR1Cdr+qERVfUI8zZUi3W2M1lry+mv55IjLfuoIIn66Lkog9dPsvCD6UlJr88G++Bc/4or3RZogdYPptN6cTVhIRsgloCkbNWhGYgcl4TVN3aJikHDHxrz7bAJJqQjTm2DBhlIa5UQnmXRVpot6GTO5Jd2FT1fvGjO4tc9m3Ikg8RN6/SicdZA0G5+Pojw2Bw9ZXU797A4esqJq+Wiy4K1y1zVBT0BqFeUUP+9Kg52hBoKrfT7EAXv05p4BqekK4Tqd3H6miQgnSv8=|)
    (e |AQAB|)))
  (locators "192.0.2.2")
  (linked-from vm-1))
 (peer
  (name vm-3)
  (vpxi bronze)
  (host host-b)
  (hit "2001:21:3872:9f0f:3779:80dd:8569:e7e1")
  (lsi "1.105.231.225")
  (public-key
   (rsa-pkcs1-sha256
    (n |ALOWkusF3Ujrb3JCuZPG1XziS+oPbdELrK+wkJo/CPV2rb0wEsaV5VBZ8qmsHPXXxKRwSJm9tDWuG3HGH8mknNv+aLOdBJ1rZMgYCc7NCGhQ0+3GPprC/4l2tOYADlJLUxG/v4q6Xvqyb8gKTs4LRMX0tjj0rogJYYcFiYXuUuMeV1NTkdzD65phMAicqOlU1RaO/tUlNdjoL/AqHreX1k0gdQsSbTizVpwPVNEn8XRbBtU2WAEnPdCGu9YFHZ64ptOkTIa7qR4yyFvZa1AEj+BOtjDMotlXWOHTCwqbMBGS9dDo89QFy2RZJcUDFo79h2J4rkJtxSSes1pVe1w7U28=|)
    (e |AQAB|)))
  (locators "192.0.2.2")
  (linked-from vm-1))
 (peer
  (name vm-4)
  (vpxi bronze)
  (host host-c)
  (hit "2001:21:c9:386c:c771:a036:84b4:6f02")
  (lsi "1.180.111.2")
  (public-key
   (rsa-pkcs1-sha256
    (n |AKdESbSDey8UOYmq7TGBEvPn1X/QgFfRwLR1Qf8pesEmkSrbOSqx9Zwb5+/26G7nD6J2fEYP2kAsNaWpfabgL4prkzBDNumCFQ/tUJ8Zpqy5IsVIvLZoQiv+clspJPnye1o7JwPle5MU/1bS0Nufi2NeCcl/VSMIm2AdV7NzDdankYwBiP5Z+DNqiB8Di2+wMEz1wh6ca8NTuyRbx7MDvh5NYWl71cyzIkhxXzcoNcC8bAlxmnszxr8ku+uviEsrAkwpdSdSjU+a633vBbCRO4n1t3LRhQjEvVt9MTjMzB9QJEEo2/UbdCFHgb0rXtT6BFT0x31PswPdEkNj13jqoPM=|)
    (e |AQAB|)))
  (locators "2001:db8::3")
  (linked-from vm-5))
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
  (linked-from vm-1)))
