/*
 * sig_vectors.h: test vectors for test_sig.c, made once with openssl
 * (keys: openssl ecparam -genkey / genpkey, public halves with -pubout;
 * signatures: openssl dgst -sha256|-sha384 -sign KEY PAYLOAD | base64)
 * over cosign simple-signing payloads. The private keys were thrown away
 * but key A's, kept to check that a private key is refused as --verify-key.
 */
#ifndef SIG_VECTORS_H
#define SIG_VECTORS_H

static const char PUB_A[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEn+7hZdvBauLTQmBBHleTQytMYhRZ\n"
    "oF4yW7bik2JWT2VqvLr0bRxeKXyfijiBg2N64VNyP4O2QuSy+IKVST5EuA==\n"
    "-----END PUBLIC KEY-----\n";

static const char PUB_B[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEfXkoKq5gMASbL6OI7jzyUxCToP9Q\n"
    "a3ZDR3m7WfwXbLZ9sTR0QiQN+vbU9IodJobpvJdxeXpAU7ExsT3dDptAfg==\n"
    "-----END PUBLIC KEY-----\n";

static const char PUB_P384[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAE8ydYamQNUk8ldeiOjvl8wfGYylWVcGZW\n"
    "JZ2Dqm4hy2M/OyS1uG/sN0kS0G4Wg8SpvvF11q7KlKLXVCayzaGIYfX6MXIg13OC\n"
    "1TmZT7OzllceYYCSY5aMLFbXsIZds9Z8\n"
    "-----END PUBLIC KEY-----\n";

static const char PUB_RSA[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MIIBojANBgkqhkiG9w0BAQEFAAOCAY8AMIIBigKCAYEAmKHbXbvkZEilEjaq+IBt\n"
    "OZ85g9DfFa1QzMqPcec9vmWOGH/DcuPKhgS1oTEs6/UilgGeGyF310lo3zwrrqLf\n"
    "zCSQ1I8jP5p5iBzAWLtNI8OE+UOEItC4suWs1KwZb/Ide9F8aG8IWUHLDhaEHygw\n"
    "Gkx30jyy2U+a7+flpUrkoAJGvnqXYi76NsWpPbX4OYHkjzCH3hhf+IYR6stBoRze\n"
    "U1n0v6D9JT7KuAMVpkT2toxhysjzism97d4yvt8U6mEajZV7mOmB7p2bGKnNlsMl\n"
    "Cp3fV1px9N6OQMlx8eBGSGrE+onZXthqjRfNyGhwmJbLVbtSKmLnb6k8yMEL/dJi\n"
    "19bvIUnIumSxQztYYGfpFk6jjHN4YEh5oNcIqy7e6djPMmCYVU8CeCUQUy8utD4Y\n"
    "VKvaOfic3cOHX3K3jVVSQGt69orGo2rRZMs51zH9oQEmY089fEsJ5fTa3GpaRZ1Y\n"
    "3OtaOOrHG9oDJrr2f/IhwPpSPmX1fFuUXjGmVMWtf0iDAgMBAAE=\n"
    "-----END PUBLIC KEY-----\n";

static const char PUB_RSA1K[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC1pmQdORrbR+up4iSJdW3ZkaZo\n"
    "ha65tRm/2iYLTCIMzVv9iv3c8U4BHj5gks+cjBM+aDCMdHFHnGV021F1MvQAqNQ8\n"
    "YcJBotHroE5Kz7i47TVUyguZBbSHK7sDVN4+Zhbi40qHSTEqnsOboIsFSOqvvt4G\n"
    "PpYUluFYaTG0y6caMQIDAQAB\n"
    "-----END PUBLIC KEY-----\n";

static const char PUB_P521[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MIGbMBAGByqGSM49AgEGBSuBBAAjA4GGAAQAegOKYzBkGCQUa3zmhV9dH63rDMpc\n"
    "cvgg5Gyw1HWPqwMXNHSLJWnR7MVM2y7srZWoU95VftwJ/2cw/giB1UAKekkB0hpI\n"
    "2bTVw4X03iiioxfudHZTdeQBKnIBUps2i+gKIX+vuCIzr1C0hRR6KxH24+zxMRz2\n"
    "nNmyDBohiApOfJQ6wZw=\n"
    "-----END PUBLIC KEY-----\n";

static const char PUB_ED[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MCowBQYDK2VwAyEASyRhCyVAFiKzxG3xITrrL4B6hSwjLmB8EhKO2i89PvQ=\n"
    "-----END PUBLIC KEY-----\n";

static const char CERT_A[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBbjCCAROgAwIBAgIUB7AHQp/cU/FkokKGeMPU9yI4E70wCgYIKoZIzj0EAwIw\n"
    "DDEKMAgGA1UEAwwBeDAeFw0yNjEyMDMwNjQ1MThaFw0yNjEyMDQwNjQ1MThaMAwx\n"
    "CjAIBgNVBAMMAXgwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAASf7uFl28Fq4tNC\n"
    "YEEeV5NDK0xiFFmgXjJbtuKTYlZPZWq8uvRtHF4pfJ+KOIGDY3rhU3I/g7ZC5LL4\n"
    "gpVJPkS4o1MwUTAdBgNVHQ4EFgQUpW7mp77RnJNHfdB0yWasli5BuGQwHwYDVR0j\n"
    "BBgwFoAUpW7mp77RnJNHfdB0yWasli5BuGQwDwYDVR0TAQH/BAUwAwEB/zAKBggq\n"
    "hkjOPQQDAgNJADBGAiEA3lipa60jEacjkt3GqHIiXjNmLm6mNEPvvjdPavwgVDsC\n"
    "IQDC5M3OJ5ZSPsHDANK1i4IZnw0UbUN5PU97x3+6VDauhw==\n"
    "-----END CERTIFICATE-----\n";

static const char PRIV_A[] =
    "-----BEGIN EC PRIVATE KEY-----\n"
    "MHcCAQEEIOQk45NBADNXXjrFEG+5Mra0k2MEYJ4niywNoFSDNe4loAoGCCqGSM49\n"
    "AwEHoUQDQgAEn+7hZdvBauLTQmBBHleTQytMYhRZoF4yW7bik2JWT2VqvLr0bRxe\n"
    "KXyfijiBg2N64VNyP4O2QuSy+IKVST5EuA==\n"
    "-----END EC PRIVATE KEY-----\n";

#define D_MAN "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D_IDX "sha256:2222222222222222222222222222222222222222222222222222222222222222"
#define D_OTHER "sha256:3333333333333333333333333333333333333333333333333333333333333333"

static const char PAYLOAD_MAN[] =
    "{\"critical\":{\"identity\":{\"docker-reference\":\"reg.example/app\"},\"image\":{\"docker-manifest-digest\":\"sha256:1111111111111111111111111111111111111111111111111111111111111111\"},\"type\":\"cosign container image signature\"},\"optional\":null}";

static const char PAYLOAD_IDX[] =
    "{\"critical\":{\"identity\":{\"docker-reference\":\"reg.example/app\"},\"image\":{\"docker-manifest-digest\":\"sha256:2222222222222222222222222222222222222222222222222222222222222222\"},\"type\":\"cosign container image signature\"},\"optional\":null}";

static const char PAYLOAD_OTHER[] =
    "{\"critical\":{\"identity\":{\"docker-reference\":\"reg.example/app\"},\"image\":{\"docker-manifest-digest\":\"sha256:3333333333333333333333333333333333333333333333333333333333333333\"},\"type\":\"cosign container image signature\"},\"optional\":null}";

static const char PAYLOAD_TYPE[] =
    "{\"critical\":{\"identity\":{\"docker-reference\":\"reg.example/app\"},\"image\":{\"docker-manifest-digest\":\"sha256:1111111111111111111111111111111111111111111111111111111111111111\"},\"type\":\"something else\"},\"optional\":null}";

static const char SIG_A_MAN[] =
    "MEYCIQDPpqwqFnMHD6zJzojGpAYO4bZVEE41K+XWydPAqhOtuwIhAKPdbu/a9/QAE/TquD8jS3PIH89sK/CHLNPMWfogcKjG";

static const char SIG_A_IDX[] =
    "MEYCIQDQN2hmn8FJeToCaqxPjMpt2wuKAy8+JNArm2Ax/xPoagIhAL5lyy87bCJQ+a38BmfNd9V3TTwgczMezfBycf43gEHK";

static const char SIG_A_OTHER[] =
    "MEQCIG4ms6jdeZulICVP+0lY/+K2KnZvtGz+1xasHAdJGrnSAiBRKidzHOHah8Q8MbFvc1A1vKhndOPqScIwF1hdEEEnoQ==";

static const char SIG_A_TYPE[] =
    "MEYCIQCJfsye7llqyZ1fBVZYFfKwQ4V+gyLLgUH2Ax1SqvAD5gIhANfXWKJaxd2Hx6hcCcLfiHJr0WB3P0WuFiWAiN37Zaup";

static const char SIG_B_MAN[] =
    "MEUCIGxamEOOoVQg760vtU5Hec1S/6Rpy68IyQ4oYhzOb3byAiEA8nQFHEHV45ObBGAMQ+PB9aUG1syHFwuc6B0+ABCE1vY=";

static const char SIG_P384_MAN_384[] =
    "MGQCMGhM1WazEJkGod1Ycny6ITNP8t+hjikY3r5MFPYsGFBTMYwzglBzDU+xlndjSVpDYwIwIpFhofqpt2tlnkIkbcmYqmwiGfMhmdzu9MntaNQob3NS4Ms+yzIZOqKFwkQVf8if";

static const char SIG_P384_MAN_256[] =
    "MGQCMAZq9D3xTfuFm8zP6fkpv2HthZNINQkAq85d8H7vFBS2QG3TbxijHyERW95RwabyQwIwQ6LuvqlmXrvQNrkvqiqMYhwSVpuWAjcbW6JRcj01NUWLW3KCAKx63i1Fx8sRjmr7";

static const char SIG_RSA_MAN[] =
    "YgDXyuAajuJmgsaBNtdHgussX3xXqpe4FsCHp2pO/6fN2tP3OjPNLhBNmGp+PjPIwKcLSB6NY7GmUlQ4OYYZxFSWO0dRYs2oYaQwKkTGmNlX66fHZZIOAoHXJm4a4wU2QNxGpzErAYN0bUpbiAVEhxPCKLjcNq5ZI2P+Vx9t5z3U1NQe4ueJM0AX0fuhdr1tLDrBk9wPwPA207h3l3dp8KhW+qXtMlXNvA4ZwZZBjjNROIKvxY9ErYyBtc2GdhbYBHOR5Fx24qoi1H62twd+uOsTBVT6GNdMkQlv1+w5QGH9XvpdtW6UbA1Jd3iVjFldBDPpNUn5JgEZzh5qGVDM3E/GHyjE1fsbPKXEJE20q1GKWUGefSTA8JtS98+5+fFQLXEbW35g4oXiWRLEVV9FdFa/KFot2cVYYnqxMCud+OoPtNzbnxx3+dWR1BrD94LqZr4r8I+tQ2Un0eXhYAvBxrAKCsw9bRohuhaXcyVxuWcee3qPsj/57He8C/PyhoN2";

static const char PAYLOAD_EMPTY[] =
    "{\"critical\":{\"identity\":{\"docker-reference\":\"reg.example/app\"},\"image\":{\"docker-manifest-digest\":\"\"},\"type\":\"cosign container image signature\"},\"optional\":null}";

static const char SIG_A_EMPTY[] =
    "MEQCIH4UcbCAxc7rmiq/7m3EZNUvzb5rU9Tw+oJ+O9J//ZRAAiB6BYeiVK4+TiqqkTneq4yUpHOmQq7cw8cGY4WXvMhYbA==";

#endif /* SIG_VECTORS_H */
