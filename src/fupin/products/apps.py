from django.apps import AppConfig


class ProductsConfig(AppConfig):
    name = "fupin.products"
    verbose_name = "贷款产品"
