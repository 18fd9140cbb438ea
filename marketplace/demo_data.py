"""Demo data for the Pasar OPOP pilot in Kota Mojokerto.

Pure data: plain Python literals typed with frozen dataclasses. All cooperatives, pesantren,
people, registration numbers and products below are fictional and exist only for the demo.
Dates are ISO strings (YYYY-MM-DD); money is whole rupiah; weights are shipping weights in grams.
"""

from __future__ import annotations

from dataclasses import dataclass

from marketplace.cooperatives.services import ApplicationData

DEMO_NOTICE: str = (
    "Seluruh koperasi, pondok pesantren, dan produk di situs ini adalah data contoh (fiktif) "
    "untuk keperluan demo uji coba Pasar OPOP Kota Mojokerto."
)


# --------------------------------------------------------------------------------------------
# Types
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoCategory:
    slug: str
    name: str
    name_en: str
    children: tuple[DemoCategory, ...] = ()


@dataclass(frozen=True)
class DemoVariant:
    sku_suffix: str
    options: tuple[tuple[str, str], ...]
    price: int
    stock: int


@dataclass(frozen=True, kw_only=True)
class DemoCooperative:
    slug: str
    name: str
    kind: str  # "koppontren" or "koperasi"
    pesantren: str | None
    kecamatan: str
    kelurahan: str
    address: str
    postcode: str
    whatsapp: str
    email: str
    nib: str
    npwp: str
    is_pkp: bool
    pp55_number: str | None
    pp55_valid_until: str | None
    bank_name: str
    bank_account_number: str
    bank_account_holder: str
    description: str
    local_delivery_fee: int
    owner_name: str


@dataclass(frozen=True, kw_only=True)
class DemoProduct:
    slug: str
    sku: str
    cooperative: str  # DemoCooperative.slug
    category: str  # subcategory slug
    name: str
    description: str
    unit: str
    weight_grams: int
    min_order_qty: int
    price: int
    stock: int
    halal_number: str | None = None
    halal_valid_until: str | None = None
    pirt_number: str | None = None
    bpom_md_number: str | None = None
    sni: bool = False
    featured: bool = False
    tiers: tuple[tuple[int, int], ...] = ()  # (min_quantity, unit_price)
    variants: tuple[DemoVariant, ...] = ()


# --------------------------------------------------------------------------------------------
# Categories
# --------------------------------------------------------------------------------------------

CATEGORIES: tuple[DemoCategory, ...] = (
    DemoCategory(
        "makanan-minuman",
        "Makanan & Minuman",
        "Food & Drinks",
        (
            DemoCategory("keripik-camilan", "Keripik & Camilan", "Chips & Snacks"),
            DemoCategory("sambal-bumbu", "Sambal & Bumbu", "Chilli Sauce & Spices"),
            DemoCategory("minuman", "Minuman", "Drinks"),
            DemoCategory("kopi-teh", "Kopi & Teh", "Coffee & Tea"),
            DemoCategory("yogurt-olahan-susu", "Yogurt & Olahan Susu", "Yogurt & Dairy"),
        ),
    ),
    DemoCategory(
        "fashion",
        "Fashion",
        "Fashion",
        (
            DemoCategory("batik-tulis", "Batik Tulis", "Hand-drawn Batik"),
            DemoCategory("kemeja-batik", "Kemeja Batik", "Batik Shirts"),
            DemoCategory("hijab", "Hijab", "Hijab"),
            DemoCategory("busana-muslim", "Busana Muslim", "Muslim Wear"),
        ),
    ),
    DemoCategory(
        "kerajinan",
        "Kerajinan",
        "Crafts",
        (
            DemoCategory("suvenir", "Suvenir", "Souvenirs"),
            DemoCategory("anyaman", "Anyaman", "Woven Goods"),
            DemoCategory("gerabah-terakota", "Gerabah & Terakota", "Pottery & Terracotta"),
        ),
    ),
    DemoCategory(
        "herbal-kebersihan",
        "Herbal & Kebersihan",
        "Herbal & Hygiene",
        (
            DemoCategory("sabun-herbal", "Sabun Herbal", "Herbal Soap"),
            DemoCategory("jamu", "Jamu", "Jamu (Herbal Drinks)"),
            DemoCategory("madu", "Madu", "Honey"),
        ),
    ),
    DemoCategory(
        "kebutuhan-sehari-hari",
        "Kebutuhan Sehari-hari",
        "Daily Needs",
        (
            DemoCategory("sembako", "Sembako", "Staple Foods"),
            DemoCategory("air-minum-kemasan", "Air Minum dalam Kemasan", "Bottled Water"),
            DemoCategory("perlengkapan-rumah", "Perlengkapan Rumah", "Household Supplies"),
        ),
    ),
)


# --------------------------------------------------------------------------------------------
# Cooperatives (emails koperasi1..9@demo.test are the owners' demo logins, in this order)
# --------------------------------------------------------------------------------------------

COOPERATIVES: tuple[DemoCooperative, ...] = (
    DemoCooperative(
        slug="koppontren-al-hikmah",
        name="Koppontren Al-Hikmah",
        kind="koppontren",
        pesantren="Pondok Pesantren Al-Hikmah Magersari",
        kecamatan="Magersari",
        kelurahan="Gedongan",
        address="Jl. Melati No. 12, RT 002/RW 003",
        postcode="61315",
        whatsapp="6281234560101",
        email="koperasi1@demo.test",
        nib="9120001230101",
        npwp="0213456789602000",
        is_pkp=False,
        pp55_number="KET-00871/PP55/KPP.0913/2024",
        pp55_valid_until="2027-12-31",
        bank_name="BSI",
        bank_account_number="7123456701",
        bank_account_holder="Koppontren Al-Hikmah",
        description=(
            "Koperasi pondok pesantren yang mengolah tempe buatan santri menjadi aneka keripik "
            "dan camilan kering. Semua produk digoreng setiap hari di dapur produksi pesantren "
            "dan dikemas rapat agar tetap renyah."
        ),
        local_delivery_fee=10000,
        owner_name="H. Ahmad Fauzi",
    ),
    DemoCooperative(
        slug="koppontren-nurul-huda",
        name="Koppontren Nurul Huda",
        kind="koppontren",
        pesantren="Pondok Pesantren Nurul Huda Miji",
        kecamatan="Kranggan",
        kelurahan="Miji",
        address="Jl. Kenanga No. 7, RT 001/RW 004",
        postcode="61322",
        whatsapp="6285230410202",
        email="koperasi2@demo.test",
        nib="9120001230202",
        npwp="0224567890602000",
        is_pkp=False,
        pp55_number="KET-00412/PP55/KPP.0913/2021",
        pp55_valid_until="2025-06-30",
        bank_name="Bank Jatim",
        bank_account_number="0011223344",
        bank_account_holder="Koppontren Nurul Huda",
        description=(
            "Koppontren Nurul Huda memproduksi sambal dan bumbu dapur dengan resep turun-temurun "
            "dari dapur umum pesantren. Koperasi ini juga melayani kebutuhan sembako warga "
            "sekitar dan para santri."
        ),
        local_delivery_fee=10000,
        owner_name="Hj. Siti Khodijah",
    ),
    DemoCooperative(
        slug="koppontren-darul-falah",
        name="Koppontren Darul Falah",
        kind="koppontren",
        pesantren="Pondok Pesantren Darul Falah Blooto",
        kecamatan="Prajurit Kulon",
        kelurahan="Blooto",
        address="Jl. Mawar No. 21, RT 003/RW 001",
        postcode="61326",
        whatsapp="628123457703",
        email="koperasi3@demo.test",
        nib="9120001230303",
        npwp="0235678901602000",
        is_pkp=False,
        pp55_number=None,
        pp55_valid_until=None,
        bank_name="BRI",
        bank_account_number="052101000123305",
        bank_account_holder="Koppontren Darul Falah",
        description=(
            "Koperasi pesantren yang menanam rosella dan jahe merah di lahan pesantren lalu "
            "mengolahnya menjadi minuman kemasan. Produknya sering dipesan untuk konsumsi rapat, "
            "pengajian, dan hajatan."
        ),
        local_delivery_fee=12000,
        owner_name="Abdul Rohman",
    ),
    DemoCooperative(
        slug="koppontren-miftahul-ulum",
        name="Koppontren Miftahul Ulum",
        kind="koppontren",
        pesantren="Pondok Pesantren Miftahul Ulum Wates",
        kecamatan="Magersari",
        kelurahan="Wates",
        address="Jl. Anggrek No. 5, RT 004/RW 002",
        postcode="61317",
        whatsapp="6281335560404",
        email="koperasi4@demo.test",
        nib="9120001230404",
        npwp="0246789012602000",
        is_pkp=True,
        pp55_number="KET-01968/PP55/KPP.0913/2025",
        pp55_valid_until="2028-12-31",
        bank_name="Bank Jatim",
        bank_account_number="0021445567",
        bank_account_holder="Koppontren Miftahul Ulum",
        description=(
            "Sanggar batik pesantren yang membuat batik tulis dengan motif khas Mojokerto seperti "
            "Surya Majapahit dan Mrico Bolong. Setiap lembar dicanting dan diwarnai tangan oleh "
            "santri putri dan pembatik dari kampung sekitar."
        ),
        local_delivery_fee=10000,
        owner_name="Ustadzah Lailatul Fitriyah",
    ),
    DemoCooperative(
        slug="koppontren-bustanul-ulum",
        name="Koppontren Bustanul Ulum",
        kind="koppontren",
        pesantren="Pondok Pesantren Bustanul Ulum Purwotengah",
        kecamatan="Kranggan",
        kelurahan="Purwotengah",
        address="Jl. Cempaka No. 3, RT 002/RW 005",
        postcode="61323",
        whatsapp="6287851230505",
        email="koperasi5@demo.test",
        nib="9120001230505",
        npwp="0257890123602000",
        is_pkp=True,
        pp55_number=None,
        pp55_valid_until=None,
        bank_name="Bank Mandiri",
        bank_account_number="1420012345678",
        bank_account_holder="Koppontren Bustanul Ulum",
        description=(
            "Koppontren Bustanul Ulum mengelola unit air minum dalam kemasan dan produksi yogurt "
            "berizin BPOM. Pengiriman dilakukan dengan armada koperasi sendiri ke kantor, sekolah, "
            "dan rumah di seluruh Kota Mojokerto."
        ),
        local_delivery_fee=15000,
        owner_name="Ahmad Zainuddin",
    ),
    DemoCooperative(
        slug="koppontren-roudlotul-jannah",
        name="Koppontren Roudlotul Jannah",
        kind="koppontren",
        pesantren="Pondok Pesantren Roudlotul Jannah Surodinawan",
        kecamatan="Prajurit Kulon",
        kelurahan="Surodinawan",
        address="Jl. Flamboyan No. 18, RT 005/RW 002",
        postcode="61328",
        whatsapp="6285655610606",
        email="koperasi6@demo.test",
        nib="9120001230606",
        npwp="0268901234602000",
        is_pkp=False,
        pp55_number="KET-01533/PP55/KPP.0913/2024",
        pp55_valid_until="2028-04-30",
        bank_name="BSI",
        bank_account_number="7198765402",
        bank_account_holder="Koppontren Roudlotul Jannah",
        description=(
            "Unit konveksi pesantren putri yang menjahit hijab, gamis, mukena, dan baju koko. "
            "Bahan dipilih yang adem dan nyaman dipakai sehari-hari, dengan jahitan rapi hasil "
            "pelatihan keterampilan santri."
        ),
        local_delivery_fee=8000,
        owner_name="Nur Hidayah",
    ),
    DemoCooperative(
        slug="ksu-sumber-rejeki",
        name="Koperasi Serba Usaha Sumber Rejeki",
        kind="koperasi",
        pesantren=None,
        kecamatan="Magersari",
        kelurahan="Gunung Gedangan",
        address="Jl. Sawo No. 9, RT 001/RW 001",
        postcode="61316",
        whatsapp="628223450707",
        email="koperasi7@demo.test",
        nib="9120001230707",
        npwp="0279012345602000",
        is_pkp=False,
        pp55_number=None,
        pp55_valid_until=None,
        bank_name="BRI",
        bank_account_number="052101000456307",
        bank_account_holder="Koperasi Serba Usaha Sumber Rejeki",
        description=(
            "Koperasi serba usaha yang menampung kopi dan madu dari petani serta peternak lebah "
            "di lereng Gunung Welirang. Kopi disangrai sendiri dalam jumlah kecil agar aromanya "
            "tetap segar."
        ),
        local_delivery_fee=10000,
        owner_name="Bambang Sutrisno",
    ),
    DemoCooperative(
        slug="kopwan-sekar-melati",
        name="Koperasi Wanita Sekar Melati",
        kind="koperasi",
        pesantren=None,
        kecamatan="Kranggan",
        kelurahan="Kranggan",
        address="Jl. Teratai No. 25, RT 003/RW 002",
        postcode="61321",
        whatsapp="6281330880808",
        email="koperasi8@demo.test",
        nib="9120001230808",
        npwp="0280123456602000",
        is_pkp=False,
        pp55_number="KET-02107/PP55/KPP.0913/2023",
        pp55_valid_until="2027-09-30",
        bank_name="BNI",
        bank_account_number="1234509876",
        bank_account_holder="Koperasi Wanita Sekar Melati",
        description=(
            "Koperasi ibu-ibu rumah tangga yang membuat sabun herbal, jamu, dan produk kebersihan "
            "rumah dari bahan alami. Resep jamu diwariskan dari para penjual jamu gendong di "
            "Mojokerto."
        ),
        local_delivery_fee=8000,
        owner_name="Sri Wahyuni",
    ),
    DemoCooperative(
        slug="koperasi-bhumi-majapahit",
        name="Koperasi Perajin Bhumi Majapahit",
        kind="koperasi",
        pesantren=None,
        kecamatan="Prajurit Kulon",
        kelurahan="Prajurit Kulon",
        address="Jl. Nusa Indah No. 30, RT 002/RW 004",
        postcode="61325",
        whatsapp="6285733090909",
        email="koperasi9@demo.test",
        nib="9120001230909",
        npwp="0291234567602000",
        is_pkp=False,
        pp55_number=None,
        pp55_valid_until=None,
        bank_name="Bank Jatim",
        bank_account_number="0031778899",
        bank_account_holder="Koperasi Perajin Bhumi Majapahit",
        description=(
            "Koperasi para perajin terakota, anyaman, dan suvenir bertema Majapahit. Produknya "
            "banyak dipesan sebagai cendera mata untuk tamu kantor dan wisatawan."
        ),
        local_delivery_fee=12000,
        owner_name="Eko Prasetyo",
    ),
)


#: A cooperative waiting for the city's approval (its owner: pendaftar@demo.test).
PENDING_APPLICATION = ApplicationData(
    name="Koppontren Nurul Huda Surodinawan",
    kind="koppontren",
    pesantren_name="Pondok Pesantren Nurul Huda",
    description=(
        "Koperasi pondok yang membuat sabun cuci piring dan sabun mandi cair dari bahan "
        "lokal. Baru mendaftar dan menunggu pemeriksaan dinas."
    ),
    kecamatan="Prajurit Kulon",
    kelurahan="Surodinawan",
    address="Jl. Surodinawan Gg. II No. 7",
    postal_code="61328",
    whatsapp="6285733101010",
    email="pendaftar@demo.test",
    nib="9120001231010",
    npwp="0291234567603000",
    is_pkp=False,
    pp55_certificate_number=None,
    pp55_valid_until=None,
    bank_name="Bank Jatim",
    bank_account_number="0031881010",
    bank_account_holder="Koppontren Nurul Huda Surodinawan",
)


# --------------------------------------------------------------------------------------------
# Products
# --------------------------------------------------------------------------------------------

PRODUCTS: tuple[DemoProduct, ...] = (
    # ---- Koppontren Al-Hikmah: keripik & camilan ------------------------------------------
    DemoProduct(
        slug="keripik-tempe-original-al-hikmah",
        sku="KTP-ORI-100",
        cooperative="koppontren-al-hikmah",
        category="keripik-camilan",
        name="Keripik Tempe Original 100 g",
        description=(
            "Keripik tempe tipis dan renyah dari tempe yang dibuat sendiri oleh santri. "
            "Dibumbui bawang putih, ketumbar, dan daun jeruk tanpa penyedap buatan. "
            "Cocok untuk lauk pendamping nasi maupun camilan di kantor."
        ),
        unit="bungkus",
        weight_grams=120,
        min_order_qty=1,
        price=8000,
        stock=180,
        halal_number="ID35110000101010124",
        halal_valid_until="2028-01-31",
        pirt_number="209357601010128",
        featured=True,
        tiers=((20, 7500), (100, 7000)),
    ),
    DemoProduct(
        slug="keripik-tempe-pedas-daun-jeruk-al-hikmah",
        sku="KTP-PDS-100",
        cooperative="koppontren-al-hikmah",
        category="keripik-camilan",
        name="Keripik Tempe Pedas Daun Jeruk 100 g",
        description=(
            "Varian pedas dari keripik tempe andalan kami, dengan taburan cabai kering dan irisan "
            "daun jeruk. Tingkat pedasnya sedang sehingga tetap bisa dinikmati keluarga. "
            "Dikemas dalam plastik berklip agar tetap renyah setelah dibuka."
        ),
        unit="bungkus",
        weight_grams=120,
        min_order_qty=1,
        price=9000,
        stock=140,
        halal_number="ID35110000101020124",
        halal_valid_until="2028-01-31",
        pirt_number="209357601010228",
        tiers=((20, 8500), (100, 8000)),
    ),
    DemoProduct(
        slug="keripik-tempe-balado-250-g-al-hikmah",
        sku="KTP-BLD-250",
        cooperative="koppontren-al-hikmah",
        category="keripik-camilan",
        name="Keripik Tempe Balado 250 g",
        description=(
            "Keripik tempe berbalut bumbu balado manis pedas dalam kemasan hemat 250 gram. "
            "Pas untuk stok camilan di rumah atau suguhan tamu."
        ),
        unit="bungkus",
        weight_grams=280,
        min_order_qty=1,
        price=15000,
        stock=75,
        halal_number="ID35110000101030124",
        halal_valid_until="2028-01-31",
        pirt_number="209357601010328",
    ),
    DemoProduct(
        slug="keripik-singkong-balado-al-hikmah",
        sku="KSG-BLD-150",
        cooperative="koppontren-al-hikmah",
        category="keripik-camilan",
        name="Keripik Singkong Balado 150 g",
        description=(
            "Singkong pilihan dari petani sekitar Mojokerto diiris tipis lalu digoreng hingga "
            "garing. Bumbu balado dimasak sendiri dari cabai merah segar. "
            "Tahan hingga tiga bulan dalam kemasan tertutup."
        ),
        unit="bungkus",
        weight_grams=170,
        min_order_qty=1,
        price=10000,
        stock=120,
        halal_number="ID35110000101040523",
        halal_valid_until="2027-05-31",
        pirt_number="209357601010427",
        tiers=((20, 9500), (50, 9000)),
    ),
    DemoProduct(
        slug="keripik-pisang-manis-al-hikmah",
        sku="KPS-MNS-150",
        cooperative="koppontren-al-hikmah",
        category="keripik-camilan",
        name="Keripik Pisang Manis 150 g",
        description=(
            "Keripik pisang kepok dengan lapisan gula tipis yang manisnya pas. "
            "Teksturnya renyah dan tidak berminyak, disukai anak-anak maupun orang tua."
        ),
        unit="bungkus",
        weight_grams=170,
        min_order_qty=1,
        price=12000,
        stock=90,
        halal_number="ID35110000101050523",
        halal_valid_until="2027-05-31",
        pirt_number="209357601010527",
    ),
    DemoProduct(
        slug="rempeyek-kacang-tanah-toples-al-hikmah",
        sku="RPY-KCG-250",
        cooperative="koppontren-al-hikmah",
        category="keripik-camilan",
        name="Rempeyek Kacang Tanah (Toples 250 g)",
        description=(
            "Rempeyek kacang tanah tipis dengan bumbu kencur dan daun jeruk, digoreng satu per "
            "satu secara manual. Dikemas dalam toples plastik sehingga tidak mudah hancur saat "
            "dikirim. Nikmat sebagai teman pecel atau camilan sore."
        ),
        unit="toples",
        weight_grams=420,
        min_order_qty=1,
        price=25000,
        stock=40,
        halal_number="ID35110000101060122",
        halal_valid_until="2027-01-15",
        pirt_number="209357601010627",
    ),
    DemoProduct(
        slug="onde-onde-ketawa-wijen-al-hikmah",
        sku="OND-KTW-200",
        cooperative="koppontren-al-hikmah",
        category="keripik-camilan",
        name="Onde-Onde Ketawa Wijen 200 g",
        description=(
            "Camilan onde-onde ketawa bertabur wijen, oleh-oleh khas Kota Onde-Onde. "
            "Bagian luarnya renyah dan dalamnya lembut dengan rasa manis yang ringan. "
            "Cocok untuk suguhan rapat dan oleh-oleh keluarga."
        ),
        unit="bungkus",
        weight_grams=230,
        min_order_qty=1,
        price=12000,
        stock=100,
        halal_number="ID35110000101070124",
        halal_valid_until="2028-01-31",
        pirt_number="206357601010728",
        tiers=((20, 11000), (50, 10500)),
    ),
    DemoProduct(
        slug="paket-oleh-oleh-keripik-mojokerto-al-hikmah",
        sku="PKT-OLH-5",
        cooperative="koppontren-al-hikmah",
        category="keripik-camilan",
        name="Paket Oleh-Oleh Keripik Mojokerto (5 Bungkus)",
        description=(
            "Paket hemat berisi lima bungkus camilan: keripik tempe original, keripik tempe pedas, "
            "keripik singkong balado, keripik pisang, dan onde-onde ketawa. Dikemas dalam kotak "
            "kardus bergambar khas Mojokerto, siap dijadikan bingkisan."
        ),
        unit="pak",
        weight_grams=750,
        min_order_qty=1,
        price=42000,
        stock=30,
        halal_number="ID35110000101080124",
        halal_valid_until="2028-01-31",
        pirt_number="209357601010828",
    ),
    DemoProduct(
        slug="keripik-tempe-original-grosir-karton-al-hikmah",
        sku="KTP-ORI-K40",
        cooperative="koppontren-al-hikmah",
        category="keripik-camilan",
        name="Keripik Tempe Original Grosir (Karton isi 40)",
        description=(
            "Keripik tempe original 100 gram dalam karton isi 40 bungkus untuk warung, kantin, "
            "dan kebutuhan acara. Harga per karton sudah lebih murah daripada eceran. "
            "Pemesanan minimal dua karton."
        ),
        unit="karton",
        weight_grams=5200,
        min_order_qty=2,
        price=300000,
        stock=25,
        halal_number="ID35110000101010124",
        halal_valid_until="2028-01-31",
        pirt_number="209357601010128",
    ),
    # ---- Koppontren Nurul Huda: sambal, bumbu & sembako -----------------------------------
    DemoProduct(
        slug="sambal-bawang-pedas-nurul-huda",
        sku="SMB-BWG-150",
        cooperative="koppontren-nurul-huda",
        category="sambal-bumbu",
        name="Sambal Bawang Pedas 150 g",
        description=(
            "Sambal bawang dari cabai rawit dan bawang putih yang ditumis dengan minyak kelapa "
            "hingga harum. Tanpa pengawet, tahan sebulan di suhu ruang dan lebih lama di kulkas. "
            "Cukup satu sendok untuk menemani nasi hangat."
        ),
        unit="botol",
        weight_grams=260,
        min_order_qty=1,
        price=22000,
        stock=120,
        halal_number="ID35110000202010324",
        halal_valid_until="2028-03-31",
        pirt_number="212357601020128",
        featured=True,
        tiers=((12, 21000), (48, 20000)),
    ),
    DemoProduct(
        slug="sambal-ijo-khas-pesantren-nurul-huda",
        sku="SMB-IJO-150",
        cooperative="koppontren-nurul-huda",
        category="sambal-bumbu",
        name="Sambal Ijo Khas Pesantren 150 g",
        description=(
            "Sambal cabai hijau dan tomat hijau yang diulek kasar, resep dapur umum pesantren. "
            "Rasanya segar, gurih, dan pedasnya tidak menyengat. "
            "Cocok untuk ayam goreng, tahu, dan tempe."
        ),
        unit="botol",
        weight_grams=260,
        min_order_qty=1,
        price=24000,
        stock=80,
        halal_number="ID35110000202020324",
        halal_valid_until="2028-03-31",
        pirt_number="212357601020228",
        tiers=((12, 23000),),
    ),
    DemoProduct(
        slug="sambal-korek-super-pedas-nurul-huda",
        sku="SMB-KRK-150",
        cooperative="koppontren-nurul-huda",
        category="sambal-bumbu",
        name="Sambal Korek Super Pedas 150 g",
        description=(
            "Sambal korek dengan cabai rawit setan dan bawang putih goreng untuk pencinta pedas. "
            "Disajikan langsung dari botol tanpa perlu dipanaskan."
        ),
        unit="botol",
        weight_grams=260,
        min_order_qty=1,
        price=20000,
        stock=95,
        halal_number="ID35110000202030324",
        halal_valid_until="2028-03-31",
        pirt_number="212357601020328",
    ),
    DemoProduct(
        slug="sambal-bawang-pedas-grosir-karton-nurul-huda",
        sku="SMB-BWG-K24",
        cooperative="koppontren-nurul-huda",
        category="sambal-bumbu",
        name="Sambal Bawang Pedas Grosir (Karton isi 24)",
        description=(
            "Sambal bawang pedas 150 gram dalam karton isi 24 botol untuk reseller, rumah makan, "
            "dan katering. Setiap botol bersegel dan mencantumkan tanggal kedaluwarsa."
        ),
        unit="karton",
        weight_grams=6500,
        min_order_qty=1,
        price=480000,
        stock=15,
        halal_number="ID35110000202010324",
        halal_valid_until="2028-03-31",
        pirt_number="212357601020128",
    ),
    DemoProduct(
        slug="bumbu-pecel-kacang-nurul-huda",
        sku="BMB-PCL-250",
        cooperative="koppontren-nurul-huda",
        category="sambal-bumbu",
        name="Bumbu Pecel Kacang 250 g",
        description=(
            "Bumbu pecel dari kacang tanah sangrai, gula merah, dan daun jeruk, khas Jawa Timur. "
            "Cukup diseduh air hangat dan diaduk sampai kental. "
            "Satu bungkus cukup untuk delapan sampai sepuluh porsi."
        ),
        unit="bungkus",
        weight_grams=280,
        min_order_qty=1,
        price=16000,
        stock=110,
        halal_number="ID35110000202040823",
        halal_valid_until="2027-08-31",
        pirt_number="212357601020427",
        tiers=((10, 15000), (50, 14000)),
    ),
    DemoProduct(
        slug="bumbu-rawon-instan-nurul-huda",
        sku="BMB-RWN-100",
        cooperative="koppontren-nurul-huda",
        category="sambal-bumbu",
        name="Bumbu Rawon Instan 100 g",
        description=(
            "Bumbu rawon siap pakai dengan kluwek pilihan, bawang, dan rempah yang sudah ditumis. "
            "Tinggal ditambahkan daging dan air untuk enam porsi rawon. "
            "Praktis untuk ibu bekerja maupun dapur pesantren."
        ),
        unit="bungkus",
        weight_grams=120,
        min_order_qty=1,
        price=12000,
        stock=60,
        halal_number="ID35110000202050422",
        halal_valid_until="2026-04-30",
        pirt_number="212357601020527",
    ),
    DemoProduct(
        slug="beras-premium-5-kg-nurul-huda",
        sku="BRS-PRM-5KG",
        cooperative="koppontren-nurul-huda",
        category="sembako",
        name="Beras Premium 5 kg",
        description=(
            "Beras putih premium hasil panen petani Mojokerto yang disortir dan dibersihkan ulang "
            "di gudang koperasi. Nasinya pulen dan tidak cepat basi."
        ),
        unit="karung",
        weight_grams=5050,
        min_order_qty=1,
        price=78000,
        stock=200,
    ),
    DemoProduct(
        slug="kacang-hijau-pilihan-500-g-nurul-huda",
        sku="KHJ-PLH-500",
        cooperative="koppontren-nurul-huda",
        category="sembako",
        name="Kacang Hijau Pilihan 500 g",
        description=(
            "Kacang hijau utuh yang sudah dipilah dari kotoran dan biji rusak. "
            "Cocok untuk bubur kacang hijau, isian onde-onde, atau ditanam menjadi kecambah."
        ),
        unit="bungkus",
        weight_grams=510,
        min_order_qty=1,
        price=16000,
        stock=85,
    ),
    # ---- Koppontren Darul Falah: minuman rosella & jahe -----------------------------------
    DemoProduct(
        slug="minuman-sari-rosella-karton-darul-falah",
        sku="RSL-GLS-K24",
        cooperative="koppontren-darul-falah",
        category="minuman",
        name="Minuman Sari Rosella (Karton isi 24 Gelas)",
        description=(
            "Minuman sari bunga rosella dari kebun pesantren, dikemas dalam gelas 150 ml. "
            "Rasanya asam manis menyegarkan dan berwarna merah alami tanpa pewarna. "
            "Praktis untuk suguhan rapat, pengajian, dan hajatan."
        ),
        unit="karton",
        weight_grams=4200,
        min_order_qty=1,
        price=32000,
        stock=160,
        halal_number="ID35110000303010224",
        halal_valid_until="2028-02-29",
        pirt_number="211357601030128",
        featured=True,
        tiers=((10, 31000), (50, 30000)),
    ),
    DemoProduct(
        slug="minuman-jahe-merah-karton-darul-falah",
        sku="JHM-GLS-K24",
        cooperative="koppontren-darul-falah",
        category="minuman",
        name="Minuman Jahe Merah (Karton isi 24 Gelas)",
        description=(
            "Minuman jahe merah dan gula aren dalam gelas 150 ml, hangat di tenggorokan meski "
            "diminum dingin. Dibuat dari jahe merah yang ditanam santri tanpa pestisida kimia."
        ),
        unit="karton",
        weight_grams=4200,
        min_order_qty=1,
        price=34000,
        stock=110,
        halal_number="ID35110000303020224",
        halal_valid_until="2028-02-29",
        pirt_number="211357601030228",
        tiers=((10, 33000), (50, 32000)),
    ),
    DemoProduct(
        slug="sirup-rosella-600-ml-darul-falah",
        sku="RSL-SRP-600",
        cooperative="koppontren-darul-falah",
        category="minuman",
        name="Sirup Rosella 600 ml",
        description=(
            "Sirup kental dari kelopak rosella segar dan gula tebu. Satu botol dapat dibuat "
            "menjadi sekitar 20 gelas minuman dengan campuran air dingin atau soda. "
            "Kocok dahulu sebelum disajikan."
        ),
        unit="botol",
        weight_grams=850,
        min_order_qty=1,
        price=35000,
        stock=45,
        halal_number="ID35110000303031222",
        halal_valid_until="2026-12-20",
        pirt_number="211357601030327",
    ),
    DemoProduct(
        slug="jahe-merah-instan-bubuk-darul-falah",
        sku="JHM-INS-250",
        cooperative="koppontren-darul-falah",
        category="minuman",
        name="Jahe Merah Instan Bubuk 250 g",
        description=(
            "Serbuk jahe merah instan yang tinggal diseduh air panas. "
            "Menghangatkan badan di musim hujan dan enak dicampur susu. "
            "Dikemas dalam toples dengan tutup rapat."
        ),
        unit="toples",
        weight_grams=330,
        min_order_qty=1,
        price=28000,
        stock=70,
        halal_number="ID35110000303040623",
        halal_valid_until="2027-06-30",
        pirt_number="211357601030427",
    ),
    DemoProduct(
        slug="wedang-uwuh-celup-darul-falah",
        sku="WDU-CLP-10",
        cooperative="koppontren-darul-falah",
        category="minuman",
        name="Wedang Uwuh Celup (Isi 10 Kantong)",
        description=(
            "Racikan wedang uwuh berisi secang, jahe, cengkih, kayu manis, dan daun pala dalam "
            "kantong celup. Seduh dengan air mendidih dan tambahkan gula batu sesuai selera."
        ),
        unit="pak",
        weight_grams=130,
        min_order_qty=1,
        price=20000,
        stock=55,
        halal_number="ID35110000303050623",
        halal_valid_until="2027-06-30",
        pirt_number="211357601030527",
    ),
    DemoProduct(
        slug="teh-bunga-rosella-kering-darul-falah",
        sku="RSL-TEH-050",
        cooperative="koppontren-darul-falah",
        category="kopi-teh",
        name="Teh Bunga Rosella Kering 50 g",
        description=(
            "Kelopak rosella yang dijemur dan dikeringkan perlahan untuk diseduh sebagai teh. "
            "Warnanya merah pekat dengan rasa asam segar yang khas. "
            "Satu bungkus cukup untuk sekitar 25 cangkir."
        ),
        unit="bungkus",
        weight_grams=90,
        min_order_qty=1,
        price=25000,
        stock=60,
        halal_number="ID35110000303060224",
        halal_valid_until="2028-02-29",
        pirt_number="211357601030628",
    ),
    DemoProduct(
        slug="kelopak-rosella-kering-grosir-1-kg-darul-falah",
        sku="RSL-KRG-1KG",
        cooperative="koppontren-darul-falah",
        category="kopi-teh",
        name="Kelopak Rosella Kering Grosir 1 kg",
        description=(
            "Kelopak rosella kering curah untuk kafe, penjual minuman, dan usaha teh racikan. "
            "Disortir tanpa biji dan batang. Pemesanan minimal dua kilogram."
        ),
        unit="bungkus",
        weight_grams=1050,
        min_order_qty=2,
        price=180000,
        stock=20,
        halal_number="ID35110000303060224",
        halal_valid_until="2028-02-29",
        pirt_number="211357601030728",
    ),
    # ---- Koppontren Miftahul Ulum: batik tulis Mojokerto ----------------------------------
    DemoProduct(
        slug="kain-batik-tulis-surya-majapahit-miftahul-ulum",
        sku="BTK-SRY",
        cooperative="koppontren-miftahul-ulum",
        category="batik-tulis",
        name="Kain Batik Tulis Motif Surya Majapahit",
        description=(
            "Kain batik tulis bermotif Surya Majapahit, lambang kejayaan kerajaan yang berpusat "
            "di Mojokerto. Dicanting tangan di atas katun primisima ukuran 2 x 1,15 meter dengan "
            "pewarna sintetis yang tidak mudah luntur. Setiap lembar memiliki sedikit perbedaan "
            "sebagai ciri khas batik tulis."
        ),
        unit="lembar",
        weight_grams=450,
        min_order_qty=1,
        price=225000,
        stock=14,
        featured=True,
    ),
    DemoProduct(
        slug="kain-batik-tulis-mrico-bolong-miftahul-ulum",
        sku="BTK-MRB",
        cooperative="koppontren-miftahul-ulum",
        category="batik-tulis",
        name="Kain Batik Tulis Motif Mrico Bolong",
        description=(
            "Motif Mrico Bolong berupa titik-titik kecil menyerupai biji merica, salah satu motif "
            "khas Mojokerto. Kain katun primisima 2 x 1,15 meter, cocok untuk kemeja maupun "
            "seragam kantor."
        ),
        unit="lembar",
        weight_grams=450,
        min_order_qty=1,
        price=200000,
        stock=18,
    ),
    DemoProduct(
        slug="kain-batik-tulis-gringsing-miftahul-ulum",
        sku="BTK-GRS",
        cooperative="koppontren-miftahul-ulum",
        category="batik-tulis",
        name="Kain Batik Tulis Motif Gringsing",
        description=(
            "Motif gringsing bersisik yang sudah dikenal sejak masa Majapahit, dipadukan dengan "
            "warna sogan cokelat yang klasik. Ukuran kain 2 x 1,15 meter. "
            "Stok terbatas karena satu lembar dikerjakan hingga dua minggu."
        ),
        unit="lembar",
        weight_grams=450,
        min_order_qty=1,
        price=210000,
        stock=5,
    ),
    DemoProduct(
        slug="kain-batik-tulis-koro-renteng-miftahul-ulum",
        sku="BTK-KRR",
        cooperative="koppontren-miftahul-ulum",
        category="batik-tulis",
        name="Kain Batik Tulis Motif Koro Renteng",
        description=(
            "Motif koro renteng menggambarkan bunga kacang koro yang berjajar, dengan warna dasar "
            "biru indigo. Kain katun primisima 2 x 1,15 meter. "
            "Produksi berikutnya dapat dipesan lebih dahulu melalui WhatsApp koperasi."
        ),
        unit="lembar",
        weight_grams=450,
        min_order_qty=1,
        price=215000,
        stock=0,
    ),
    DemoProduct(
        slug="selendang-batik-tulis-rawan-inggek-miftahul-ulum",
        sku="SLD-RWI",
        cooperative="koppontren-miftahul-ulum",
        category="batik-tulis",
        name="Selendang Batik Tulis Motif Rawan Inggek",
        description=(
            "Selendang batik tulis berbahan sutra sintetis yang ringan, ukuran 2 x 0,5 meter. "
            "Motif Rawan Inggek yang lembut cocok sebagai pelengkap kebaya atau cendera mata."
        ),
        unit="lembar",
        weight_grams=200,
        min_order_qty=1,
        price=150000,
        stock=20,
    ),
    DemoProduct(
        slug="kemeja-batik-tulis-surya-majapahit-lengan-panjang-miftahul-ulum",
        sku="KMJ-SRY-LP",
        cooperative="koppontren-miftahul-ulum",
        category="kemeja-batik",
        name="Kemeja Batik Tulis Surya Majapahit Lengan Panjang",
        description=(
            "Kemeja pria lengan panjang dari kain batik tulis motif Surya Majapahit, dilapisi "
            "furing katun agar nyaman dipakai seharian. Potongan reguler cocok untuk acara resmi "
            "dan seragam hari Kamis. Ukuran XL dikenai tambahan harga karena memakai kain lebih "
            "banyak."
        ),
        unit="pcs",
        weight_grams=400,
        min_order_qty=1,
        price=500000,
        stock=19,
        variants=(
            DemoVariant("S", (("Ukuran", "S"),), 500000, 4),
            DemoVariant("M", (("Ukuran", "M"),), 500000, 6),
            DemoVariant("L", (("Ukuran", "L"),), 500000, 6),
            DemoVariant("XL", (("Ukuran", "XL"),), 525000, 3),
        ),
    ),
    DemoProduct(
        slug="kemeja-batik-tulis-mrico-bolong-lengan-pendek-miftahul-ulum",
        sku="KMJ-MRB-LPD",
        cooperative="koppontren-miftahul-ulum",
        category="kemeja-batik",
        name="Kemeja Batik Tulis Mrico Bolong Lengan Pendek",
        description=(
            "Kemeja pria lengan pendek bermotif Mrico Bolong dengan kancing batok kelapa. "
            "Bahannya adem dan santai, cocok untuk acara semi-resmi maupun jalan-jalan."
        ),
        unit="pcs",
        weight_grams=350,
        min_order_qty=1,
        price=450000,
        stock=15,
        variants=(
            DemoVariant("S", (("Ukuran", "S"),), 450000, 3),
            DemoVariant("M", (("Ukuran", "M"),), 450000, 5),
            DemoVariant("L", (("Ukuran", "L"),), 450000, 5),
            DemoVariant("XL", (("Ukuran", "XL"),), 475000, 2),
        ),
    ),
    # ---- Koppontren Bustanul Ulum: air minum dalam kemasan & yogurt -----------------------
    DemoProduct(
        slug="air-minum-kemasan-600-ml-karton-bustanul-ulum",
        sku="AMD-600-K24",
        cooperative="koppontren-bustanul-ulum",
        category="air-minum-kemasan",
        name="Air Minum dalam Kemasan 600 ml (Karton isi 24)",
        description=(
            "Air minum dalam kemasan botol 600 ml dari sumber air pegunungan yang diolah dengan "
            "filtrasi bertingkat dan sinar ultraviolet. Sudah berstandar SNI dan terdaftar di "
            "BPOM. "
            "Pemesanan minimal dua karton, gratis antar untuk pesanan di atas 20 karton."
        ),
        unit="karton",
        weight_grams=15200,
        min_order_qty=2,
        price=38000,
        stock=250,
        halal_number="ID35110000505010923",
        halal_valid_until="2027-09-30",
        bpom_md_number="BPOM RI MD 265312001101",
        sni=True,
        featured=True,
        tiers=((10, 36000), (50, 34000)),
    ),
    DemoProduct(
        slug="air-minum-kemasan-gelas-220-ml-karton-bustanul-ulum",
        sku="AMD-220-K48",
        cooperative="koppontren-bustanul-ulum",
        category="air-minum-kemasan",
        name="Air Minum dalam Kemasan Gelas 220 ml (Karton isi 48)",
        description=(
            "Air minum gelas 220 ml yang praktis untuk rapat, pengajian, dan acara sekolah. "
            "Setiap gelas bersegel rapat dan mencantumkan kode produksi. "
            "Pemesanan minimal dua karton."
        ),
        unit="karton",
        weight_grams=11000,
        min_order_qty=2,
        price=24000,
        stock=300,
        halal_number="ID35110000505020923",
        halal_valid_until="2027-09-30",
        bpom_md_number="BPOM RI MD 265312001102",
        sni=True,
        tiers=((10, 23000), (100, 21500)),
    ),
    DemoProduct(
        slug="air-minum-kemasan-1500-ml-karton-bustanul-ulum",
        sku="AMD-1500-K12",
        cooperative="koppontren-bustanul-ulum",
        category="air-minum-kemasan",
        name="Air Minum dalam Kemasan 1.500 ml (Karton isi 12)",
        description=(
            "Air minum botol besar 1.500 ml untuk kebutuhan keluarga dan perjalanan. "
            "Diproses dengan standar yang sama dengan kemasan 600 ml, berstandar SNI."
        ),
        unit="karton",
        weight_grams=18600,
        min_order_qty=1,
        price=45000,
        stock=120,
        halal_number="ID35110000505030923",
        halal_valid_until="2027-09-30",
        bpom_md_number="BPOM RI MD 265312001103",
        sni=True,
    ),
    DemoProduct(
        slug="air-minum-kemasan-galon-19-liter-bustanul-ulum",
        sku="AMD-GLN-19",
        cooperative="koppontren-bustanul-ulum",
        category="air-minum-kemasan",
        name="Air Minum dalam Kemasan Galon 19 Liter",
        description=(
            "Air minum galon 19 liter bersegel untuk rumah, kantor, dan asrama. "
            "Harga berlaku untuk penukaran galon kosong; galon baru dapat dipesan terpisah. "
            "Pengiriman minimal dua galon sekali antar."
        ),
        unit="galon",
        weight_grams=19800,
        min_order_qty=2,
        price=21000,
        stock=90,
        halal_number="ID35110000505040923",
        halal_valid_until="2027-09-30",
        bpom_md_number="BPOM RI MD 265312001104",
        sni=True,
    ),
    DemoProduct(
        slug="yogurt-plain-250-ml-bustanul-ulum",
        sku="YGT-PLN-250",
        cooperative="koppontren-bustanul-ulum",
        category="yogurt-olahan-susu",
        name="Yogurt Plain 250 ml",
        description=(
            "Yogurt tawar dari susu sapi segar peternak Mojokerto dengan kultur hidup. "
            "Teksturnya kental dan rasanya asam lembut, cocok dicampur buah atau madu. "
            "Disimpan di lemari pendingin dan dikirim dengan kotak pendingin."
        ),
        unit="botol",
        weight_grams=290,
        min_order_qty=1,
        price=15000,
        stock=60,
        halal_number="ID35110000505050424",
        halal_valid_until="2028-04-30",
        bpom_md_number="BPOM RI MD 205312002101",
        tiers=((12, 14000), (48, 13000)),
    ),
    DemoProduct(
        slug="yogurt-stroberi-250-ml-bustanul-ulum",
        sku="YGT-STR-250",
        cooperative="koppontren-bustanul-ulum",
        category="yogurt-olahan-susu",
        name="Yogurt Stroberi 250 ml",
        description=(
            "Yogurt minum rasa stroberi dengan potongan buah asli. Manisnya pas dan disukai "
            "anak-anak. Simpan pada suhu 2–6 °C dan habiskan dalam dua minggu."
        ),
        unit="botol",
        weight_grams=290,
        min_order_qty=1,
        price=16000,
        stock=50,
        halal_number="ID35110000505060424",
        halal_valid_until="2028-04-30",
        bpom_md_number="BPOM RI MD 205312002102",
    ),
    DemoProduct(
        slug="yogurt-leci-250-ml-bustanul-ulum",
        sku="YGT-LCI-250",
        cooperative="koppontren-bustanul-ulum",
        category="yogurt-olahan-susu",
        name="Yogurt Leci 250 ml",
        description=(
            "Yogurt minum rasa leci yang segar dan harum. Diproduksi dalam jumlah kecil setiap "
            "pekan sehingga stok cepat habis."
        ),
        unit="botol",
        weight_grams=290,
        min_order_qty=1,
        price=16000,
        stock=4,
        halal_number="ID35110000505070424",
        halal_valid_until="2028-04-30",
        bpom_md_number="BPOM RI MD 205312002103",
    ),
    DemoProduct(
        slug="yogurt-drink-aneka-rasa-isi-6-bustanul-ulum",
        sku="YGT-DRK-6",
        cooperative="koppontren-bustanul-ulum",
        category="yogurt-olahan-susu",
        name="Yogurt Drink Aneka Rasa (Pak isi 6 x 100 ml)",
        description=(
            "Satu pak berisi enam botol kecil yogurt rasa stroberi, leci, dan anggur. "
            "Ukurannya pas untuk bekal sekolah anak. Hanya tersedia untuk pengiriman lokal Kota "
            "Mojokerto karena harus tetap dingin."
        ),
        unit="pak",
        weight_grams=720,
        min_order_qty=1,
        price=30000,
        stock=35,
        halal_number="ID35110000505080424",
        halal_valid_until="2028-04-30",
        bpom_md_number="BPOM RI MD 205312002104",
    ),
    # ---- Koppontren Roudlotul Jannah: hijab & busana muslim -------------------------------
    DemoProduct(
        slug="hijab-segi-empat-voal-polos-roudlotul-jannah",
        sku="HJB-VOAL",
        cooperative="koppontren-roudlotul-jannah",
        category="hijab",
        name="Hijab Segi Empat Voal Polos",
        description=(
            "Hijab segi empat ukuran 115 x 115 cm dari voal premium yang ringan dan mudah "
            "dibentuk. Tepinya dijahit tepi rapi (laser cut) sehingga tidak mudah bertiras. "
            "Tersedia dalam lima warna netral."
        ),
        unit="pcs",
        weight_grams=120,
        min_order_qty=1,
        price=45000,
        stock=108,
        featured=True,
        variants=(
            DemoVariant("HTM", (("Warna", "Hitam"),), 45000, 30),
            DemoVariant("NVY", (("Warna", "Navy"),), 45000, 25),
            DemoVariant("MCA", (("Warna", "Mocca"),), 45000, 20),
            DemoVariant("SGE", (("Warna", "Sage"),), 45000, 15),
            DemoVariant("DPK", (("Warna", "Dusty Pink"),), 45000, 18),
        ),
    ),
    DemoProduct(
        slug="hijab-bergo-instan-jersey-roudlotul-jannah",
        sku="HJB-BRG",
        cooperative="koppontren-roudlotul-jannah",
        category="hijab",
        name="Hijab Bergo Instan Jersey",
        description=(
            "Bergo instan berbahan jersey yang lembut dan menyerap keringat, langsung pakai tanpa "
            "jarum. Pilihan favorit santri dan ibu-ibu untuk kegiatan sehari-hari."
        ),
        unit="pcs",
        weight_grams=150,
        min_order_qty=1,
        price=35000,
        stock=57,
        variants=(
            DemoVariant("HTM", (("Warna", "Hitam"),), 35000, 25),
            DemoVariant("ABU", (("Warna", "Abu-abu"),), 35000, 20),
            DemoVariant("MRN", (("Warna", "Marun"),), 35000, 12),
        ),
    ),
    DemoProduct(
        slug="pashmina-ceruty-babydoll-roudlotul-jannah",
        sku="HJB-PSM",
        cooperative="koppontren-roudlotul-jannah",
        category="hijab",
        name="Pashmina Ceruty Babydoll",
        description=(
            "Pashmina ukuran 175 x 75 cm dari ceruty babydoll yang jatuh dan tidak menerawang. "
            "Cocok untuk acara resmi, kondangan, maupun kerja kantor."
        ),
        unit="pcs",
        weight_grams=140,
        min_order_qty=1,
        price=40000,
        stock=37,
        variants=(
            DemoVariant("HTM", (("Warna", "Hitam"),), 40000, 15),
            DemoVariant("KRM", (("Warna", "Krem"),), 40000, 12),
            DemoVariant("CSU", (("Warna", "Cokelat Susu"),), 40000, 10),
        ),
    ),
    DemoProduct(
        slug="hijab-anak-instan-bordir-roudlotul-jannah",
        sku="HJB-ANK",
        cooperative="koppontren-roudlotul-jannah",
        category="hijab",
        name="Hijab Anak Instan Bordir",
        description=(
            "Hijab instan untuk anak usia 4–10 tahun dengan hiasan bordir bunga kecil. "
            "Bahan kaos katun yang adem sehingga nyaman dipakai sekolah seharian."
        ),
        unit="pcs",
        weight_grams=100,
        min_order_qty=1,
        price=25000,
        stock=60,
    ),
    DemoProduct(
        slug="gamis-katun-toyobo-polos-roudlotul-jannah",
        sku="GMS-TYB",
        cooperative="koppontren-roudlotul-jannah",
        category="busana-muslim",
        name="Gamis Katun Toyobo Polos",
        description=(
            "Gamis wanita dari katun toyobo yang adem, tidak mudah kusut, dan tidak menerawang. "
            "Dilengkapi resleting depan yang ramah ibu menyusui serta dua saku samping. "
            "Ukuran XL dikenai tambahan harga."
        ),
        unit="pcs",
        weight_grams=450,
        min_order_qty=1,
        price=185000,
        stock=25,
        variants=(
            DemoVariant("M-HTM", (("Ukuran", "M"), ("Warna", "Hitam")), 185000, 5),
            DemoVariant("M-NVY", (("Ukuran", "M"), ("Warna", "Navy")), 185000, 4),
            DemoVariant("L-HTM", (("Ukuran", "L"), ("Warna", "Hitam")), 185000, 6),
            DemoVariant("L-NVY", (("Ukuran", "L"), ("Warna", "Navy")), 185000, 5),
            DemoVariant("XL-HTM", (("Ukuran", "XL"), ("Warna", "Hitam")), 195000, 3),
            DemoVariant("XL-NVY", (("Ukuran", "XL"), ("Warna", "Navy")), 195000, 2),
        ),
    ),
    DemoProduct(
        slug="mukena-katun-rayon-bordir-roudlotul-jannah",
        sku="MKN-RYN",
        cooperative="koppontren-roudlotul-jannah",
        category="busana-muslim",
        name="Mukena Katun Rayon Bordir",
        description=(
            "Mukena dewasa dua potong dari katun rayon yang jatuh dan adem, dengan bordir di tepi "
            "wajah dan ujung bawahan. Sudah termasuk tas kain serut untuk dibawa bepergian."
        ),
        unit="pcs",
        weight_grams=600,
        min_order_qty=1,
        price=175000,
        stock=22,
    ),
    DemoProduct(
        slug="baju-koko-pria-bordir-roudlotul-jannah",
        sku="KOK-BRD",
        cooperative="koppontren-roudlotul-jannah",
        category="busana-muslim",
        name="Baju Koko Pria Bordir",
        description=(
            "Baju koko lengan panjang berbahan katun toyobo putih dengan bordir halus di bagian "
            "dada. Cocok untuk salat Jumat, pengajian, dan hari raya."
        ),
        unit="pcs",
        weight_grams=300,
        min_order_qty=1,
        price=150000,
        stock=24,
        variants=(
            DemoVariant("M", (("Ukuran", "M"),), 150000, 8),
            DemoVariant("L", (("Ukuran", "L"),), 150000, 10),
            DemoVariant("XL", (("Ukuran", "XL"),), 160000, 6),
        ),
    ),
    DemoProduct(
        slug="sarung-tenun-santri-motif-kotak-roudlotul-jannah",
        sku="SRG-TNN",
        cooperative="koppontren-roudlotul-jannah",
        category="busana-muslim",
        name="Sarung Tenun Santri Motif Kotak",
        description=(
            "Sarung tenun motif kotak dengan benang katun yang rapat dan tidak panas. "
            "Ukuran dewasa standar, cocok untuk ibadah maupun hadiah."
        ),
        unit="pcs",
        weight_grams=500,
        min_order_qty=1,
        price=95000,
        stock=3,
    ),
    # ---- KSU Sumber Rejeki: kopi & madu ---------------------------------------------------
    DemoProduct(
        slug="kopi-robusta-bubuk-lereng-welirang-sumber-rejeki",
        sku="KOP-RBS-200",
        cooperative="ksu-sumber-rejeki",
        category="kopi-teh",
        name="Kopi Robusta Bubuk Lereng Welirang 200 g",
        description=(
            "Kopi robusta dari kebun petani di lereng Gunung Welirang, disangrai tingkat medium "
            "lalu digiling halus. Rasanya pekat dengan sentuhan cokelat dan sedikit rasa kacang. "
            "Nikmat diseduh tubruk atau dengan susu."
        ),
        unit="bungkus",
        weight_grams=230,
        min_order_qty=1,
        price=35000,
        stock=100,
        halal_number="ID35110000707010624",
        halal_valid_until="2028-06-30",
        pirt_number="205357601070128",
        featured=True,
        tiers=((10, 33000), (50, 31000)),
    ),
    DemoProduct(
        slug="kopi-arabika-biji-sangrai-250-g-sumber-rejeki",
        sku="KOP-ARB-250",
        cooperative="ksu-sumber-rejeki",
        category="kopi-teh",
        name="Kopi Arabika Biji Sangrai 250 g",
        description=(
            "Biji kopi arabika sangrai tingkat light to medium dengan aroma buah dan rasa asam "
            "yang lembut. Cocok untuk diseduh dengan V60 atau french press. "
            "Tanggal sangrai tertera pada kemasan."
        ),
        unit="bungkus",
        weight_grams=280,
        min_order_qty=1,
        price=65000,
        stock=40,
        halal_number="ID35110000707020624",
        halal_valid_until="2028-06-30",
        pirt_number="205357601070228",
    ),
    DemoProduct(
        slug="kopi-jahe-sachet-isi-10-sumber-rejeki",
        sku="KOP-JHE-10",
        cooperative="ksu-sumber-rejeki",
        category="kopi-teh",
        name="Kopi Jahe Sachet (Isi 10)",
        description=(
            "Kopi bubuk dengan campuran jahe emprit dan gula aren dalam sachet sekali seduh. "
            "Praktis untuk dibawa ke kantor atau bekal perjalanan."
        ),
        unit="pak",
        weight_grams=280,
        min_order_qty=1,
        price=20000,
        stock=75,
        halal_number="ID35110000707030922",
        halal_valid_until="2026-09-15",
        pirt_number="205357601070327",
    ),
    DemoProduct(
        slug="teh-daun-kelor-celup-isi-20-sumber-rejeki",
        sku="TEH-KLR-20",
        cooperative="ksu-sumber-rejeki",
        category="kopi-teh",
        name="Teh Daun Kelor Celup (Isi 20)",
        description=(
            "Teh celup dari daun kelor muda yang dikeringkan tanpa terkena sinar matahari "
            "langsung. "
            "Rasanya ringan dan sedikit manis, enak dinikmati hangat maupun dingin."
        ),
        unit="pak",
        weight_grams=70,
        min_order_qty=1,
        price=18000,
        stock=50,
        halal_number="ID35110000707040325",
        halal_valid_until="2029-03-31",
        pirt_number="205357601070429",
    ),
    DemoProduct(
        slug="madu-randu-500-g-sumber-rejeki",
        sku="MDU-RND-500",
        cooperative="ksu-sumber-rejeki",
        category="madu",
        name="Madu Randu 500 g",
        description=(
            "Madu murni dari lebah yang menghisap nektar bunga randu (kapuk). "
            "Warnanya kuning keemasan dengan rasa manis yang lembut dan sedikit asam. "
            "Tidak dicampur gula maupun air."
        ),
        unit="botol",
        weight_grams=650,
        min_order_qty=1,
        price=85000,
        stock=48,
        halal_number="ID35110000707051124",
        halal_valid_until="2028-11-30",
        pirt_number="204357601070528",
        tiers=((6, 82000), (24, 80000)),
    ),
    DemoProduct(
        slug="madu-kelengkeng-250-g-sumber-rejeki",
        sku="MDU-KLK-250",
        cooperative="ksu-sumber-rejeki",
        category="madu",
        name="Madu Kelengkeng 250 g",
        description=(
            "Madu dari nektar bunga kelengkeng dengan aroma khas buah kelengkeng. "
            "Teksturnya kental dan rasanya manis legit, cocok untuk campuran teh hangat."
        ),
        unit="botol",
        weight_grams=350,
        min_order_qty=1,
        price=60000,
        stock=30,
        halal_number="ID35110000707061124",
        halal_valid_until="2028-11-30",
        pirt_number="204357601070628",
    ),
    DemoProduct(
        slug="madu-hutan-multiflora-1-kg-sumber-rejeki",
        sku="MDU-HTN-1KG",
        cooperative="ksu-sumber-rejeki",
        category="madu",
        name="Madu Hutan Multiflora 1 kg",
        description=(
            "Madu hutan dari lebah liar yang dipanen secara lestari oleh warga sekitar hutan. "
            "Rasanya kaya dengan sedikit pahit di akhir, khas madu multiflora. "
            "Panen berikutnya diperkirakan pada musim kemarau."
        ),
        unit="botol",
        weight_grams=1250,
        min_order_qty=1,
        price=150000,
        stock=0,
        halal_number="ID35110000707071124",
        halal_valid_until="2028-11-30",
        pirt_number="204357601070728",
    ),
    # ---- Koperasi Wanita Sekar Melati: sabun herbal, jamu & kebersihan rumah --------------
    DemoProduct(
        slug="sabun-herbal-sereh-wangi-sekar-melati",
        sku="SBN-SRH-100",
        cooperative="kopwan-sekar-melati",
        category="sabun-herbal",
        name="Sabun Herbal Sereh Wangi 100 g",
        description=(
            "Sabun batang dari minyak kelapa dan minyak atsiri sereh wangi yang dibuat dengan "
            "proses dingin. Aromanya segar dan membantu mengusir nyamuk. "
            "Lembut di kulit dan cocok untuk seluruh keluarga."
        ),
        unit="pcs",
        weight_grams=110,
        min_order_qty=1,
        price=15000,
        stock=130,
        halal_number="ID35110000808010725",
        halal_valid_until="2029-07-31",
    ),
    DemoProduct(
        slug="sabun-herbal-kunyit-madu-sekar-melati",
        sku="SBN-KNY-100",
        cooperative="kopwan-sekar-melati",
        category="sabun-herbal",
        name="Sabun Herbal Kunyit Madu 100 g",
        description=(
            "Perpaduan kunyit dan madu dalam sabun batang yang membantu menjaga kelembapan kulit. "
            "Dibuat tanpa deterjen keras sehingga aman untuk kulit sensitif."
        ),
        unit="pcs",
        weight_grams=110,
        min_order_qty=1,
        price=15000,
        stock=110,
        halal_number="ID35110000808020725",
        halal_valid_until="2029-07-31",
    ),
    DemoProduct(
        slug="sabun-herbal-daun-bidara-sekar-melati",
        sku="SBN-BDR-100",
        cooperative="kopwan-sekar-melati",
        category="sabun-herbal",
        name="Sabun Herbal Daun Bidara 100 g",
        description=(
            "Sabun batang dengan ekstrak daun bidara yang banyak dicari untuk mandi dan perawatan "
            "kulit. Busanya lembut dan aromanya alami tanpa pewangi sintetis."
        ),
        unit="pcs",
        weight_grams=110,
        min_order_qty=1,
        price=18000,
        stock=95,
        halal_number="ID35110000808030725",
        halal_valid_until="2029-07-31",
    ),
    DemoProduct(
        slug="jamu-kunyit-asam-250-ml-sekar-melati",
        sku="JMU-KNA-250",
        cooperative="kopwan-sekar-melati",
        category="jamu",
        name="Jamu Kunyit Asam 250 ml",
        description=(
            "Jamu kunyit asam segar dari kunyit, asam jawa, dan gula aren yang direbus setiap "
            "pagi. "
            "Menyegarkan badan dan enak diminum dingin. "
            "Simpan di kulkas dan habiskan dalam lima hari."
        ),
        unit="botol",
        weight_grams=290,
        min_order_qty=2,
        price=8000,
        stock=80,
        halal_number="ID35110000808040324",
        halal_valid_until="2028-03-31",
        pirt_number="211357601080128",
        tiers=((12, 7500), (48, 7000)),
    ),
    DemoProduct(
        slug="jamu-beras-kencur-250-ml-sekar-melati",
        sku="JMU-BRK-250",
        cooperative="kopwan-sekar-melati",
        category="jamu",
        name="Jamu Beras Kencur 250 ml",
        description=(
            "Jamu beras kencur dengan rasa manis hangat yang disukai segala usia. "
            "Dibuat dari beras, kencur, dan jahe segar tanpa pengawet. "
            "Simpan di kulkas dan habiskan dalam lima hari."
        ),
        unit="botol",
        weight_grams=290,
        min_order_qty=2,
        price=8000,
        stock=70,
        halal_number="ID35110000808050324",
        halal_valid_until="2028-03-31",
        pirt_number="211357601080228",
        tiers=((12, 7500), (48, 7000)),
    ),
    DemoProduct(
        slug="jamu-temulawak-instan-200-g-sekar-melati",
        sku="JMU-TML-200",
        cooperative="kopwan-sekar-melati",
        category="jamu",
        name="Jamu Temulawak Instan 200 g",
        description=(
            "Serbuk temulawak instan yang tinggal diseduh air hangat. "
            "Rasanya sedikit pahit dan segar, biasa diminum untuk menjaga nafsu makan."
        ),
        unit="bungkus",
        weight_grams=230,
        min_order_qty=1,
        price=22000,
        stock=45,
        halal_number="ID35110000808061222",
        halal_valid_until="2026-12-31",
        pirt_number="211357601080327",
    ),
    DemoProduct(
        slug="sabun-cuci-piring-jeruk-nipis-800-ml-sekar-melati",
        sku="SCP-JRN-800",
        cooperative="kopwan-sekar-melati",
        category="perlengkapan-rumah",
        name="Sabun Cuci Piring Jeruk Nipis 800 ml",
        description=(
            "Sabun cuci piring cair dengan ekstrak jeruk nipis yang ampuh mengangkat lemak. "
            "Busanya melimpah namun mudah dibilas dan tidak membuat tangan kering."
        ),
        unit="botol",
        weight_grams=850,
        min_order_qty=1,
        price=15000,
        stock=90,
    ),
    DemoProduct(
        slug="pembersih-lantai-aroma-sereh-1-liter-sekar-melati",
        sku="PBL-SRH-1L",
        cooperative="kopwan-sekar-melati",
        category="perlengkapan-rumah",
        name="Pembersih Lantai Aroma Sereh 1 Liter",
        description=(
            "Cairan pembersih lantai beraroma sereh yang membuat ruangan segar dan membantu "
            "mengusir serangga. Cukup dua tutup botol untuk satu ember air. "
            "Cocok untuk rumah, musala, dan kantor."
        ),
        unit="botol",
        weight_grams=1080,
        min_order_qty=1,
        price=20000,
        stock=65,
    ),
    # ---- Koperasi Perajin Bhumi Majapahit: kerajinan & suvenir ----------------------------
    DemoProduct(
        slug="miniatur-gapura-bajang-ratu-terakota-bhumi-majapahit",
        sku="MNT-BJR-20",
        cooperative="koperasi-bhumi-majapahit",
        category="suvenir",
        name="Miniatur Gapura Bajang Ratu Terakota 20 cm",
        description=(
            "Miniatur Gapura Bajang Ratu setinggi 20 cm dari tanah liat bakar, dibuat perajin "
            "terakota Mojokerto. Detail relief dikerjakan dengan tangan sehingga setiap buah "
            "sedikit berbeda. Dikemas dengan kardus dan busa pelindung."
        ),
        unit="pcs",
        weight_grams=900,
        min_order_qty=1,
        price=75000,
        stock=35,
        featured=True,
    ),
    DemoProduct(
        slug="miniatur-candi-brahu-15-cm-bhumi-majapahit",
        sku="MNT-BRH-15",
        cooperative="koperasi-bhumi-majapahit",
        category="suvenir",
        name="Miniatur Candi Brahu 15 cm",
        description=(
            "Miniatur Candi Brahu berbahan terakota dengan warna bata merah yang khas. "
            "Cocok sebagai pajangan meja kerja atau cendera mata untuk tamu dari luar kota."
        ),
        unit="pcs",
        weight_grams=700,
        min_order_qty=1,
        price=65000,
        stock=28,
    ),
    DemoProduct(
        slug="gantungan-kunci-surya-majapahit-isi-12-bhumi-majapahit",
        sku="GTK-SRY-12",
        cooperative="koperasi-bhumi-majapahit",
        category="suvenir",
        name="Gantungan Kunci Surya Majapahit (Pak isi 12)",
        description=(
            "Gantungan kunci logam berbentuk lambang Surya Majapahit dengan lapisan warna "
            "kuningan. Satu pak berisi 12 buah, pas untuk suvenir acara dan seminar. "
            "Pemesanan minimal dua pak."
        ),
        unit="pak",
        weight_grams=260,
        min_order_qty=2,
        price=36000,
        stock=80,
    ),
    DemoProduct(
        slug="hiasan-dinding-surya-majapahit-kuningan-bhumi-majapahit",
        sku="HSD-SRY-KNG",
        cooperative="koperasi-bhumi-majapahit",
        category="suvenir",
        name="Hiasan Dinding Surya Majapahit Kuningan",
        description=(
            "Hiasan dinding berdiameter 30 cm dari kuningan cor dengan motif Surya Majapahit. "
            "Dibuat oleh perajin cor logam dengan teknik cetak lilin. "
            "Cocok untuk ruang tamu dan kantor; produksi ulang membutuhkan waktu sekitar tiga "
            "minggu."
        ),
        unit="pcs",
        weight_grams=1200,
        min_order_qty=1,
        price=175000,
        stock=0,
    ),
    DemoProduct(
        slug="vas-bunga-terakota-motif-majapahit-bhumi-majapahit",
        sku="VAS-TRK-30",
        cooperative="koperasi-bhumi-majapahit",
        category="gerabah-terakota",
        name="Vas Bunga Terakota Motif Majapahit",
        description=(
            "Vas bunga setinggi 30 cm dari terakota dengan ukiran sulur khas Majapahit. "
            "Bagian dalamnya dilapisi agar bisa diisi air untuk bunga segar."
        ),
        unit="pcs",
        weight_grams=1800,
        min_order_qty=1,
        price=55000,
        stock=2,
    ),
    DemoProduct(
        slug="celengan-terakota-motif-gajah-bhumi-majapahit",
        sku="CLG-TRK-GJH",
        cooperative="koperasi-bhumi-majapahit",
        category="gerabah-terakota",
        name="Celengan Terakota Motif Gajah",
        description=(
            "Celengan tanah liat berbentuk gajah yang dicat tangan dengan warna cerah. "
            "Mengajak anak gemar menabung sekaligus mengenal kerajinan gerabah Mojokerto."
        ),
        unit="pcs",
        weight_grams=600,
        min_order_qty=1,
        price=25000,
        stock=50,
    ),
    DemoProduct(
        slug="tas-anyaman-pandan-natural-bhumi-majapahit",
        sku="TAS-PDN",
        cooperative="koperasi-bhumi-majapahit",
        category="anyaman",
        name="Tas Anyaman Pandan Natural",
        description=(
            "Tas jinjing dari anyaman daun pandan dengan lapisan kain di bagian dalam dan "
            "resleting. Ringan, kuat, dan cocok untuk belanja maupun bepergian."
        ),
        unit="pcs",
        weight_grams=350,
        min_order_qty=1,
        price=85000,
        stock=24,
    ),
    DemoProduct(
        slug="tikar-pandan-150-x-200-cm-bhumi-majapahit",
        sku="TKR-PDN-150",
        cooperative="koperasi-bhumi-majapahit",
        category="anyaman",
        name="Tikar Pandan 150 x 200 cm",
        description=(
            "Tikar anyaman pandan ukuran 150 x 200 cm yang dingin dipakai duduk maupun tidur. "
            "Dianyam rapat sehingga awet dan tidak mudah berjamur bila dijemur secara berkala."
        ),
        unit="lembar",
        weight_grams=1600,
        min_order_qty=1,
        price=120000,
        stock=12,
    ),
    DemoProduct(
        slug="keranjang-anyaman-bambu-serbaguna-bhumi-majapahit",
        sku="KRJ-BMB",
        cooperative="koperasi-bhumi-majapahit",
        category="anyaman",
        name="Keranjang Anyaman Bambu Serbaguna",
        description=(
            "Keranjang bambu dengan tutup untuk tempat parsel, buah, atau perlengkapan rumah. "
            "Diameter 30 cm dan sudah diplitur agar tahan lama."
        ),
        unit="pcs",
        weight_grams=500,
        min_order_qty=1,
        price=45000,
        stock=40,
    ),
)


# --------------------------------------------------------------------------------------------
# Delivery options (how each cooperative hands its goods over)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoDelivery:
    pickup: bool
    local_delivery: bool
    courier: bool
    #: (maximum parcel weight in grams, fee in rupiah), lightest first
    courier_bands: tuple[tuple[int, int], ...] = ()


_PARCEL_BANDS: tuple[tuple[int, int], ...] = (
    (1000, 11000),
    (3000, 19000),
    (5000, 27000),
    (10000, 42000),
    (20000, 70000),
)
#: Drinks by the carton: a carton of 24 weighs about 20 kg.
_CARTON_BANDS: tuple[tuple[int, int], ...] = (
    (2000, 15000),
    (10000, 38000),
    (25000, 65000),
    (50000, 115000),
)
#: Batik and hijab travel light.
_LIGHT_BANDS: tuple[tuple[int, int], ...] = ((1000, 12000), (3000, 20000), (5000, 28000))

DELIVERY: dict[str, DemoDelivery] = {
    "koppontren-al-hikmah": DemoDelivery(True, True, True, _PARCEL_BANDS),
    "koppontren-nurul-huda": DemoDelivery(True, True, True, _PARCEL_BANDS),
    "koppontren-darul-falah": DemoDelivery(True, True, True, _CARTON_BANDS),
    "koppontren-miftahul-ulum": DemoDelivery(True, True, True, _LIGHT_BANDS),
    # Water and chilled yogurt: no courier.
    "koppontren-bustanul-ulum": DemoDelivery(True, True, False),
    "koppontren-roudlotul-jannah": DemoDelivery(True, True, True, _LIGHT_BANDS),
    # A warehouse without a shop counter: no pickup.
    "ksu-sumber-rejeki": DemoDelivery(False, True, True, _CARTON_BANDS),
    # A small women's cooperative: collect at the shop only.
    "kopwan-sekar-melati": DemoDelivery(True, False, False),
    "koperasi-bhumi-majapahit": DemoDelivery(True, True, True, _PARCEL_BANDS),
}


# --------------------------------------------------------------------------------------------
# Placeholder image colours
# --------------------------------------------------------------------------------------------

_DEFAULT_IMAGE_COLOR: tuple[int, int, int] = (176, 190, 197)

_IMAGE_COLORS: dict[str, tuple[int, int, int]] = {
    # top level
    "makanan-minuman": (230, 150, 70),
    "fashion": (126, 94, 160),
    "kerajinan": (178, 106, 70),
    "herbal-kebersihan": (104, 160, 104),
    "kebutuhan-sehari-hari": (86, 140, 186),
    # makanan & minuman
    "keripik-camilan": (232, 176, 78),
    "sambal-bumbu": (204, 74, 56),
    "minuman": (186, 58, 92),
    "kopi-teh": (122, 86, 62),
    "yogurt-olahan-susu": (236, 176, 190),
    # fashion
    "batik-tulis": (150, 100, 60),
    "kemeja-batik": (66, 92, 140),
    "hijab": (160, 120, 170),
    "busana-muslim": (92, 124, 120),
    # kerajinan
    "suvenir": (196, 140, 70),
    "anyaman": (190, 160, 110),
    "gerabah-terakota": (184, 96, 62),
    # herbal & kebersihan
    "sabun-herbal": (130, 180, 140),
    "jamu": (214, 160, 50),
    "madu": (222, 166, 40),
    # kebutuhan sehari-hari
    "sembako": (170, 150, 100),
    "air-minum-kemasan": (80, 160, 210),
    "perlengkapan-rumah": (110, 150, 170),
}


def image_color(category_slug: str) -> tuple[int, int, int]:
    """RGB colour for a category's placeholder product image."""
    return _IMAGE_COLORS.get(category_slug, _DEFAULT_IMAGE_COLOR)
