(signature
 (hash sha256 |vJ4rYl0n9mVuXq3oUq8uN0pKcA0bH9xO5dQ2h3jB6tk=|)
 (hash sha256 |nZ0m8Li0vPxbN1SoMnVjMXy4q5JeGz0ySW9vZkAoGdY=|)
 (rsa-pkcs1-sha256 |Qk0gZmFrZSBzaWduYXR1cmUgYnl0ZXMgZm9yIHRoZSBjb3JwdXMgb25seSwgbm90IGEgcmVhbCBSU0Egc2lnbmF0dXJl|))
