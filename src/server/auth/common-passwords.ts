/**
 * Passwords that appear at the top of every published breach-frequency list, plus the association's own
 * obvious ones. Only those of 8+ characters matter (shorter ones fail the length rule first).
 */
const LIST = `password password1 password12 password123 password1234 passw0rd p@ssw0rd p@ssword passwort
12345678 123456789 1234567890 12345678910 123123123 11111111 111111111 1111111111 00000000 000000000
87654321 987654321 9876543210 12341234 11223344 12121212 123321123 13131313 22222222 55555555 66666666
88888888 99999999 abcd1234 abc12345 abcdefgh abcdefg1 qwertyui qwerty123 qwerty1234 qwertyuiop 1q2w3e4r
1q2w3e4r5t 1qaz2wsx 1qazxsw2 zaq12wsx q1w2e3r4 q1w2e3r4t5 asdfghjk asdfghjkl zxcvbnm1 zxcvbnmm
iloveyou iloveyou1 sunshine sunshine1 princess princess1 football football1 baseball baseball1 basketball
superman batman123 starwars trustno1 welcome1 welcome123 letmein1 letmein123 whatever dragon123 monkey123
master123 shadow123 michael1 jennifer jordan23 charlie1 computer internet samsung1 changeme changeme1
secret123 admin123 administrator adminadmin rootroot test1234 testtest testing123 default1 guest123
freedom1 mustang1 corvette ferrari1 mercedes liverpool chelsea1 arsenal1 manchester barcelona
hello123 helloworld goodluck blessed1 jesus123 christ123 angel123 lovely12 iloveu12 loveyou1
access14 killer12 pokemon1 minecraft fortnite spiderman ironman1 summer2024 summer2025 summer2026
winter2025 winter2026 spring2026 autumn2026 january1 december1 password! password2026 qwerty2026
counterpulsation iecpa2026 iecpa123 eecp1234 cardiology heartbeat heart123 doctor123 nurse123 medicine`;

export const COMMON_PASSWORDS: ReadonlySet<string> = new Set(LIST.split(/\s+/).filter(Boolean));
