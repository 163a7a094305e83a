(peers
 (version "1")
 (host host-b)
 (hit-format orchid-v2)
 (local
  (name vm-2)
  (vpxi bronze)
  (hit "2001:21:b431:618e:fe6b:cf3a:8b51:8ff7")
  (lsi "1.81.143.247")
  (public-key
   (rsa-pkcs1-sha256
    (n |AJX0fVS8wWk6oOqdLe9G/Jc9eSyRczf6Y7iId/P6hi+1IRdAk0u3iHYo93/KsLTMEX9DG2DjRnR1Cdr+qERVfUI8zZUi3W2M1lry+mv55IjLfuoIIn66Lkog9dPsvCD6UlJr88G++Bc/4or3RZogdYPptN6cTVhIRsgloCkbNWhGYgcl4TVN3aJikHDHxrz7bAJJqQjTm2DBhlIa5UQnmXRVpot6GTO5Jd2FT1fvGjO4tc9m3Ikg8RN6/SicdZA0G5+Pojw2Bw9ZXU797A4esqJq+Wiy4K1y1zVBT0BqFeUUP+9Kg52hBoKrfT7EAXv05p4BqekK4Tqd3H6miQgnSv8=|)
    (e |AQAB|))))
 (local
  (name vm-3)
  (vpxi bronze)
  (hit "2001:21:3872:9f0f:3779:80dd:8569:e7e1")
  (lsi "1.105.231.225")
  (public-key
   (rsa-pkcs1-sha256
    (n |ALOWkusF3Ujrb3JCuZPG1XziS+oPbdELrK+wkJo/CPV2rb0wEsaV5VBZ8qmsHPXXxKRwSJm9tDWuG3HGH8mknNv+aLOdBJ1rZMgYCc7NCGhQ0+3GPprC/4l2tOYADlJLUxG/v4q6Xvqyb8gKTs4LRMX0tjj0rogJYYcFiYXuUuMeV1NTkdzD65phMAicqOlU1RaO/tUlNdjoL/AqHreX1k0gdQsSbTizVpwPVNEn8XRbBtU2WAEnPdCGu9YFHZ64ptOkTIa7qR4yyFvZa1AEj+BOtjDMotlXWOHTCwqbMBGS9dDo89QFy2RZJcUDFo79h2J4rkJtxSSes1pVe1w7U28=|)
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
  (linked-from vm-2 vm-3))
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
  (linked-from vm-3))
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
  (linked-from vm-2)))
