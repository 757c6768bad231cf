"""Item pipelines: thin Scrapy adapters over the processing functions in aggregator/."""
