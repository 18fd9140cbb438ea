"""Word lists for the benchmark catalogue: categories, product names, cooperatives, descriptions.

Everything here is fictional. Product names are built as ``base + modifier + size``, for example
"Keripik Tempe Pedas 100 g", so searches for real words ("keri", "tempe", "batik") hit a
realistic share of the catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Size:
    label: str
    weight_grams: int
    price_factor: float


@dataclass(frozen=True)
class Subcategory:
    slug: str
    name: str
    name_en: str
    unit: str
    bases: tuple[str, ...]
    modifiers: tuple[str, ...]
    sizes: tuple[Size, ...]
    price: tuple[int, int]  # base price range in rupiah, for the first size
    food: bool = False  # P-IRT numbers, more halal certificates


@dataclass(frozen=True)
class TopCategory:
    slug: str
    name: str
    name_en: str
    children: tuple[Subcategory, ...]


def _sizes(*items: tuple[str, int, float]) -> tuple[Size, ...]:
    return tuple(Size(label, grams, factor) for label, grams, factor in items)


GRAMS = _sizes(("100 g", 110, 1.0), ("250 g", 260, 2.2), ("500 g", 520, 4.0), ("1 kg", 1030, 7.5))
BOTTLES = _sizes(("150 ml", 200, 1.0), ("250 ml", 320, 1.5), ("500 ml", 600, 2.6))
DRINKS = _sizes(("250 ml", 280, 1.0), ("500 ml", 540, 1.8), ("1 liter", 1050, 3.2))
CLOTHES = _sizes(("S", 250, 1.0), ("M", 270, 1.0), ("L", 290, 1.05), ("XL", 310, 1.1))
CLOTH = _sizes(("2 m", 400, 1.0), ("2,5 m", 480, 1.2))
PIECES = _sizes(("satuan", 100, 1.0), ("isi 10", 900, 8.5), ("isi 50", 4200, 38.0))
FRAMES = _sizes(("30 x 40 cm", 900, 1.0), ("50 x 70 cm", 2100, 1.9), ("60 x 90 cm", 3200, 2.6))
SMALL = _sizes(("30 ml", 60, 1.0), ("60 ml", 100, 1.7), ("100 ml", 150, 2.5))
SACKS = _sizes(("1 kg", 1000, 1.0), ("2 kg", 2000, 1.95), ("5 kg", 5000, 4.7))
WATER = _sizes(("240 ml isi 48", 12000, 1.0), ("600 ml isi 24", 15000, 1.3))

CATEGORIES: tuple[TopCategory, ...] = (
    TopCategory(
        "makanan-minuman",
        "Makanan & Minuman",
        "Food & Drinks",
        (
            Subcategory(
                "keripik-camilan",
                "Keripik & Camilan",
                "Chips & Snacks",
                "bungkus",
                (
                    "Keripik Tempe",
                    "Keripik Singkong",
                    "Keripik Pisang",
                    "Rempeyek Kacang",
                    "Kerupuk Udang",
                    "Basreng",
                    "Makaroni Kering",
                    "Onde-onde Ketawa",
                    "Keripik Usus",
                    "Stik Bawang",
                ),
                (
                    "Original",
                    "Pedas",
                    "Balado",
                    "Pedas Daun Jeruk",
                    "Keju",
                    "Bawang Putih",
                    "Manis",
                    "Jagung Bakar",
                    "Rumput Laut",
                    "Sapi Panggang",
                ),
                GRAMS,
                (7_000, 18_000),
                food=True,
            ),
            Subcategory(
                "sambal-bumbu",
                "Sambal & Bumbu",
                "Chilli Sauce & Spices",
                "botol",
                (
                    "Sambal Bawang",
                    "Sambal Terasi",
                    "Sambal Cumi",
                    "Sambal Bajak",
                    "Sambal Teri",
                    "Bumbu Pecel",
                    "Bumbu Rujak",
                    "Serundeng Kelapa",
                    "Abon Sapi",
                    "Abon Lele",
                ),
                (
                    "Pedas",
                    "Extra Pedas",
                    "Sedang",
                    "Original",
                    "Level 5",
                    "Manis Gurih",
                    "Khas Mojokerto",
                    "Rumahan",
                ),
                BOTTLES,
                (12_000, 30_000),
                food=True,
            ),
            Subcategory(
                "minuman",
                "Minuman",
                "Drinks",
                "botol",
                (
                    "Sari Kedelai",
                    "Wedang Uwuh",
                    "Wedang Jahe",
                    "Sirup Markisa",
                    "Jus Jambu",
                    "Susu Kurma",
                    "Es Dawet",
                    "Teh Serai",
                    "Minuman Temulawak",
                    "Sari Tebu",
                ),
                ("Original", "Gula Aren", "Madu", "Tanpa Gula", "Jahe Merah", "Pandan", "Rempah"),
                DRINKS,
                (6_000, 15_000),
                food=True,
            ),
            Subcategory(
                "kopi-teh",
                "Kopi & Teh",
                "Coffee & Tea",
                "bungkus",
                (
                    "Kopi Robusta",
                    "Kopi Arabika",
                    "Kopi Excelsa",
                    "Kopi Jahe",
                    "Kopi Rempah",
                    "Teh Hijau",
                    "Teh Melati",
                    "Teh Rosela",
                    "Teh Tubruk",
                ),
                ("Bubuk", "Biji Sangrai", "Sachet", "Premium", "Khas Pacet", "Tubruk", "Wangi"),
                GRAMS,
                (15_000, 45_000),
                food=True,
            ),
        ),
    ),
    TopCategory(
        "fashion",
        "Fashion",
        "Fashion",
        (
            Subcategory(
                "batik-tulis",
                "Batik Tulis",
                "Hand-drawn Batik",
                "lembar",
                (
                    "Kain Batik Tulis",
                    "Selendang Batik",
                    "Batik Cap",
                    "Kain Jarik",
                    "Batik Kombinasi",
                ),
                (
                    "Motif Surya Majapahit",
                    "Motif Mrico Bolong",
                    "Motif Koi",
                    "Motif Gringsing",
                    "Motif Sekar Jagad",
                    "Motif Kawung",
                    "Motif Parang",
                    "Motif Bunga Teratai",
                    "Motif Gapura Wringin Lawang",
                    "Motif Rajamala",
                ),
                CLOTH,
                (150_000, 400_000),
            ),
            Subcategory(
                "kemeja-batik",
                "Kemeja Batik",
                "Batik Shirts",
                "potong",
                (
                    "Kemeja Batik Pria",
                    "Kemeja Batik Lengan Pendek",
                    "Kemeja Batik Lengan Panjang",
                    "Blus Batik Wanita",
                    "Kemeja Batik Anak",
                ),
                (
                    "Motif Surya Majapahit",
                    "Motif Mrico Bolong",
                    "Motif Koi",
                    "Motif Kawung",
                    "Motif Parang",
                    "Motif Teratai",
                    "Warna Sogan",
                    "Warna Biru Indigo",
                ),
                CLOTHES,
                (85_000, 300_000),
            ),
            Subcategory(
                "hijab",
                "Hijab",
                "Hijab",
                "potong",
                ("Hijab Segi Empat", "Pashmina", "Bergo Instan", "Khimar", "Ciput Rajut", "Hijab"),
                (
                    "Voal Hitam",
                    "Ceruti Navy",
                    "Jersey Mocca",
                    "Katun Sage",
                    "Voal Dusty Pink",
                    "Ceruti Maroon",
                    "Jersey Abu-abu",
                    "Katun Putih Tulang",
                    "Voal Motif Batik",
                    "Polos Olive",
                ),
                _sizes(("standar", 150, 1.0), ("jumbo", 220, 1.3)),
                (25_000, 90_000),
            ),
            Subcategory(
                "busana-muslim",
                "Busana Muslim",
                "Muslim Wear",
                "potong",
                ("Gamis", "Baju Koko", "Sarung Tenun", "Peci Rajut", "Mukena", "Tunik", "Sarung"),
                (
                    "Katun Hitam",
                    "Rayon Putih",
                    "Motif Songket",
                    "Bordir Emas",
                    "Polos Hijau",
                    "Santri",
                    "Anak",
                    "Dewasa",
                ),
                CLOTHES,
                (45_000, 250_000),
            ),
        ),
    ),
    TopCategory(
        "kerajinan",
        "Kerajinan",
        "Crafts",
        (
            Subcategory(
                "suvenir",
                "Suvenir",
                "Souvenirs",
                "buah",
                (
                    "Gantungan Kunci",
                    "Miniatur Candi Tikus",
                    "Miniatur Gapura Bajang Ratu",
                    "Tempelan Kulkas",
                    "Pembatas Buku",
                    "Tasbih",
                    "Pin Majapahit",
                ),
                ("Kayu Jati", "Resin", "Kuningan", "Terakota", "Kulit", "Akrilik"),
                PIECES,
                (5_000, 25_000),
            ),
            Subcategory(
                "anyaman",
                "Anyaman",
                "Woven Goods",
                "buah",
                (
                    "Tas Anyaman",
                    "Keranjang",
                    "Tikar",
                    "Topi",
                    "Kotak Tisu",
                    "Tempat Buah",
                    "Dompet",
                ),
                ("Bambu", "Pandan", "Eceng Gondok", "Rotan", "Mendong", "Plastik Daur Ulang"),
                _sizes(("kecil", 300, 1.0), ("sedang", 500, 1.5), ("besar", 800, 2.2)),
                (20_000, 120_000),
            ),
            Subcategory(
                "gerabah-terakota",
                "Gerabah & Terakota",
                "Pottery & Terracotta",
                "buah",
                ("Vas Bunga", "Pot Tanaman", "Celengan", "Kendi", "Cobek", "Patung", "Tungku"),
                (
                    "Terakota Trowulan",
                    "Gerabah Halus",
                    "Glasir Biru",
                    "Ukir",
                    "Polos",
                    "Motif Kawung",
                ),
                _sizes(("kecil", 700, 1.0), ("sedang", 1500, 1.8), ("besar", 3000, 3.0)),
                (15_000, 150_000),
            ),
            Subcategory(
                "kaligrafi",
                "Kaligrafi",
                "Calligraphy",
                "buah",
                (
                    "Kaligrafi Ayat Kursi",
                    "Kaligrafi Asmaul Husna",
                    "Kaligrafi Bismillah",
                    "Hiasan Dinding Lafadz Allah",
                    "Kaligrafi Surah Al-Ikhlas",
                ),
                ("Kayu Jati", "Kuningan", "Kanvas", "Kaca", "Ukir", "Timbul Emas"),
                FRAMES,
                (75_000, 250_000),
            ),
        ),
    ),
    TopCategory(
        "herbal-kesehatan",
        "Herbal & Kesehatan",
        "Herbal & Health",
        (
            Subcategory(
                "sabun-herbal",
                "Sabun Herbal",
                "Herbal Soap",
                "buah",
                (
                    "Sabun Sereh",
                    "Sabun Kunyit",
                    "Sabun Susu Kambing",
                    "Sabun Madu",
                    "Sabun Arang Bambu",
                    "Sabun Zaitun",
                    "Sabun Kopi",
                ),
                ("Batang", "Cair", "Organik", "Handmade", "Aroma Melati", "Aroma Mawar"),
                _sizes(("80 g", 90, 1.0), ("100 g", 110, 1.2), ("250 ml", 300, 2.0)),
                (8_000, 25_000),
            ),
            Subcategory(
                "jamu",
                "Jamu",
                "Jamu (Herbal Drinks)",
                "botol",
                (
                    "Jamu Kunyit Asam",
                    "Jamu Beras Kencur",
                    "Jamu Temulawak",
                    "Jamu Sirih",
                    "Jamu Galian Singset",
                    "Jamu Pahitan",
                    "Jamu Uyup-uyup",
                ),
                ("Serbuk", "Siap Minum", "Instan", "Tanpa Gula", "Gula Aren", "Tradisional"),
                DRINKS,
                (7_000, 20_000),
                food=True,
            ),
            Subcategory(
                "madu",
                "Madu",
                "Honey",
                "botol",
                (
                    "Madu Randu",
                    "Madu Kelengkeng",
                    "Madu Hutan",
                    "Madu Klanceng",
                    "Madu Multiflora",
                    "Madu Kaliandra",
                ),
                ("Murni", "Asli", "Mentah", "Premium", "Plus Propolis", "Plus Habbatussauda"),
                _sizes(("250 g", 300, 1.0), ("500 g", 580, 1.9), ("1 kg", 1100, 3.6)),
                (35_000, 90_000),
                food=True,
            ),
            Subcategory(
                "minyak-herbal",
                "Minyak Herbal",
                "Herbal Oils",
                "botol",
                (
                    "Minyak Kayu Putih",
                    "Minyak Telon",
                    "Minyak Gosok Sereh",
                    "Minyak Zaitun",
                    "Balsem Jahe",
                    "Minyak Kemiri",
                ),
                ("Asli", "Aroma Terapi", "Bayi", "Hangat", "Tradisional", "Pesantren"),
                SMALL,
                (10_000, 35_000),
            ),
        ),
    ),
    TopCategory(
        "kebutuhan-harian",
        "Kebutuhan Harian",
        "Daily Needs",
        (
            Subcategory(
                "sembako",
                "Sembako",
                "Staple Foods",
                "karung",
                (
                    "Beras Pandan Wangi",
                    "Beras Merah",
                    "Gula Pasir",
                    "Gula Aren",
                    "Kacang Hijau",
                    "Tepung Beras",
                    "Kedelai",
                ),
                ("Premium", "Organik", "Lokal", "Medium", "Pilihan", "Petani Mojokerto"),
                SACKS,
                (13_000, 30_000),
                food=True,
            ),
            Subcategory(
                "air-minum-kemasan",
                "Air Minum dalam Kemasan",
                "Bottled Water",
                "dus",
                ("Air Mineral", "Air Minum", "Air Mineral Gelas", "Air Mineral Botol"),
                ("Tirta Santri", "Banyu Berkah", "Sumber Barokah", "Tirta Pesantren", "Al-Ma'un"),
                WATER,
                (18_000, 40_000),
                food=True,
            ),
            Subcategory(
                "perlengkapan-rumah",
                "Perlengkapan Rumah",
                "Household Supplies",
                "buah",
                (
                    "Sapu Ijuk",
                    "Keset Sabut Kelapa",
                    "Sabun Cuci Piring",
                    "Deterjen Cair",
                    "Pewangi Pakaian",
                    "Lap Microfiber",
                    "Kemoceng",
                ),
                ("Serbaguna", "Wangi Lemon", "Aroma Lavender", "Tebal", "Ekonomis", "Santri"),
                _sizes(("satuan", 400, 1.0), ("isi 3", 1200, 2.8), ("isi 6", 2400, 5.4)),
                (8_000, 40_000),
            ),
            Subcategory(
                "alat-tulis",
                "Alat Tulis",
                "Stationery",
                "pak",
                ("Buku Tulis", "Pulpen", "Map Plastik", "Buku Gambar", "Pensil 2B", "Kertas HVS"),
                ("Santri", "Bergaris", "Polos", "Warna", "Sampul Batik", "Ekonomis"),
                _sizes(("satuan", 100, 1.0), ("isi 10", 900, 9.0), ("isi 24", 2000, 20.0)),
                (5_000, 15_000),
            ),
        ),
    ),
)

PESANTREN_FIRST = (
    "Al",
    "Darul",
    "Nurul",
    "Miftahul",
    "Bustanul",
    "Roudlotul",
    "Hidayatul",
    "Mambaul",
    "Sabilul",
    "Tarbiyatul",
)
PESANTREN_SECOND = (
    "Huda",
    "Ulum",
    "Falah",
    "Jannah",
    "Hikmah",
    "Muttaqin",
    "Qur'an",
    "Amanah",
    "Hasanah",
    "Salam",
)
KOPERASI_PREFIXES = ("KSU", "Kopwan", "KSP", "Koperasi Produsen")
KOPERASI_NAMES = (
    "Sumber Rejeki",
    "Sekar Melati",
    "Bhumi Majapahit",
    "Tunas Harapan",
    "Maju Bersama",
    "Sido Makmur",
    "Mitra Usaha",
    "Karya Mandiri",
    "Rukun Santoso",
    "Berkah Jaya",
)

#: Kelurahan and postal codes by kecamatan (the kecamatan names match the app's KECAMATAN).
KELURAHAN: dict[str, tuple[tuple[str, str], ...]] = {
    "Magersari": (
        ("Balongsari", "61314"),
        ("Gedongan", "61315"),
        ("Gunung Gedangan", "61315"),
        ("Kedundung", "61316"),
        ("Wates", "61317"),
    ),
    "Kranggan": (
        ("Kranggan", "61321"),
        ("Meri", "61322"),
        ("Jagalan", "61311"),
        ("Sentanan", "61312"),
    ),
    "Prajurit Kulon": (
        ("Blooto", "61325"),
        ("Kauman", "61324"),
        ("Mentikan", "61323"),
        ("Miji", "61321"),
        ("Surodinawan", "61328"),
    ),
}
STREETS = (
    "Jl. Gajah Mada",
    "Jl. Brawijaya",
    "Jl. Pahlawan",
    "Jl. Empunala",
    "Jl. Majapahit",
    "Jl. Benteng Pancasila",
    "Jl. Raya Surodinawan",
    "Jl. Kyai Haji Hasyim Asy'ari",
)
BANKS = ("Bank Jatim", "BRI", "BSI", "BNI", "Mandiri")

DESCRIPTION_OPENINGS = (
    "{name} buatan {cooperative} dari {place}.",
    "{name} hasil produksi santri {place}.",
    "Produk unggulan {cooperative}: {name}.",
    "{name}, oleh-oleh khas Kota Mojokerto dari {place}.",
)
DESCRIPTION_MIDDLES = (
    "Dibuat dari bahan pilihan tanpa pengawet dan dikemas rapi.",
    "Diproduksi dalam jumlah kecil supaya mutunya terjaga.",
    "Dikerjakan dengan tangan oleh para santri dan warga sekitar pondok.",
    "Bahan bakunya dibeli langsung dari petani dan perajin lokal.",
    "Cocok untuk oleh-oleh, hantaran, maupun kebutuhan sehari-hari.",
    "Setiap pembelian ikut mendukung kemandirian ekonomi pesantren.",
)
DESCRIPTION_CLOSINGS = (
    "Pesan dalam jumlah besar untuk acara atau kantor? Hubungi kami lewat WhatsApp.",
    "Dikirim dari Kota Mojokerto setiap hari kerja.",
    "Simpan di tempat sejuk dan kering.",
    "Tersedia harga khusus untuk pembelian grosir.",
)
